extension FileStateStore {
    /// When a save's bytes reach the disk.
    public enum Durability: Hashable, Sendable {
        /// Every save is on disk before it returns: its journal record is `fdatasync`ed, and
        /// every folder a save creates a file in is `fsync`ed. Nothing acknowledged is ever lost.
        case durable
        /// Saves return once written to the kernel; a background flush syncs them every
        /// `interval`. A power cut (not a crash of the process) loses at most the saves of the
        /// last `interval`, like Redis's `appendfsync everysec`.
        case batched(interval: Duration)
        /// Saves are never synced (opening a store, compaction, repairs and deletes still are):
        /// for tests and throwaway data. A power cut may lose any save not yet written back by
        /// the kernel; a crash of the process loses nothing.
        case unsynced

        /// `.batched` with the one-second window Redis uses.
        public static var batched: Durability { .batched(interval: .seconds(1)) }
    }

    /// How a ``FileStateStore`` behaves. Every property has a default.
    public struct Options: Hashable, Sendable {
        /// Open without a lock and change nothing on disk; saves, deletes and compaction throw
        /// ``StateStoreError/readOnly(directory:)``. A torn tail is skipped in memory only.
        public var readOnly: Bool
        /// When saves reach the disk; `.durable` by default.
        public var durability: Durability
        /// A user's journal is compacted in the background once it holds this many bytes.
        public var compactionThresholdBytes: Int
        /// … or this many records, whichever comes first.
        public var compactionThresholdRecords: Int
        /// Whether thresholds trigger compaction at all (explicit ``FileStateStore/compact(userID:)`` always works).
        public var automaticCompaction: Bool
        /// How many users' contexts stay cached in memory; the least recently used idle ones are
        /// dropped beyond it, so memory follows the users in use, not the users on disk.
        public var cachedUserLimit: Int
        /// How many file descriptors the store keeps open at most (journals of cached users,
        /// files being compacted), independent of ``cachedUserLimit`` and of the compaction
        /// backlog: a journal beyond it is closed and reopened when needed. Besides these, a
        /// store holds the root and `users/` open (paths are resolved from them), and a writable
        /// one its lock (the root again, and `store.lock` when an older version left one).
        public var maxOpenFiles: Int
        /// How a sync reaches the disk on Apple platforms; ignored on Linux. See
        /// <doc:Durability> for what a power cut can lose with each.
        public var appleSyncMethod: AppleSyncMethod
        /// The most bytes per second compaction writes a snapshot at, on average, in 256 KiB
        /// chunks (as RocksDB's rate limiter holds back its compaction writes); `nil`, the
        /// default, for no limit. A limit stretches each compaction over more saves: on the
        /// benchmark's VM (a virtual disk with its write cache on) 32 MiB/s left the share of
        /// slow saves during a compaction about where it was and made each compaction slow
        /// about four times as many saves, so it is off by default. It may help where bursts of
        /// bulk writes stall small syncs for long (a slow disk, a shared volume): measure there.
        /// Values below 1 MiB/s count as 1 MiB/s; snapshots of up to 256 KiB are written at once.
        public var compactionWriteRate: Int?

        /// Creates options; the defaults are durable writes, compaction at 1 MiB or 1,000
        /// records, 1,000 cached users, at most 64 open files, `F_FULLFSYNC` on Apple platforms,
        /// and snapshots written as fast as the disk takes them.
        public init(
            readOnly: Bool = false,
            durability: Durability = .durable,
            compactionThresholdBytes: Int = 1 << 20,
            compactionThresholdRecords: Int = 1000,
            automaticCompaction: Bool = true,
            cachedUserLimit: Int = 1000,
            maxOpenFiles: Int = 64,
            appleSyncMethod: AppleSyncMethod = .fullSync,
            compactionWriteRate: Int? = nil
        ) {
            self.readOnly = readOnly
            self.durability = durability
            self.compactionThresholdBytes = compactionThresholdBytes
            self.compactionThresholdRecords = compactionThresholdRecords
            self.automaticCompaction = automaticCompaction
            self.cachedUserLimit = cachedUserLimit
            self.maxOpenFiles = maxOpenFiles
            self.appleSyncMethod = appleSyncMethod
            self.compactionWriteRate = compactionWriteRate
        }
    }
}
