/// A limit on how fast a background writer writes a large file, as RocksDB's rate limiter holds
/// back compaction writes (never the write-ahead log): where a burst of bulk writes stalls the
/// small syncs of saves, a steady pace spreads it out (``FileStateStore/Options/compactionWriteRate``).
struct WritePace: Hashable, Sendable {
    /// The most bytes per second, on average over the file.
    var bytesPerSecond: Int

    /// The slowest pace accepted (1 MiB/s): a lower limit would keep a compaction, and a store
    /// closing behind it, waiting for minutes.
    static let minimumBytesPerSecond = 1 << 20

    /// A pace of `bytesPerSecond`, raised to ``minimumBytesPerSecond``.
    init(bytesPerSecond: Int) {
        self.bytesPerSecond = max(bytesPerSecond, Self.minimumBytesPerSecond)
    }

    /// How long to wait, in nanoseconds, once `written` bytes took `elapsed` nanoseconds, so
    /// that the writer is never ahead of the pace: 0 when it is behind.
    func delay(afterWriting written: Int, elapsed: UInt64) -> UInt64 {
        // At most 1 GiB (the largest file the store writes) times 10⁹: far below UInt64.max.
        let due = UInt64(written) * 1_000_000_000 / UInt64(bytesPerSecond)
        return due > elapsed ? due - elapsed : 0
    }
}
