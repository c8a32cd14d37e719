extension FileStateStore {
    /// How a sync reaches the disk on Apple platforms (ignored on Linux, where `fdatasync` and
    /// `fsync` already flush the drive's write cache).
    ///
    /// On Darwin, plain `fsync` hands the data to the drive but does not flush the drive's own
    /// cache, so a power cut can lose (or reorder) writes that `fsync` returned for.
    public enum AppleSyncMethod: Hashable, Sendable {
        /// `fcntl(F_FULLFSYNC)`: the drive flushes its cache before the sync returns, so an
        /// acknowledged save survives a power cut. Falls back to `fsync` where the file system
        /// does not support it (`ENOTSUP`), as Go and SQLite (`PRAGMA fullfsync`) do. The default.
        case fullSync
        /// `fcntl(F_BARRIERFSYNC)`: an I/O barrier, much faster on Apple SSDs. Writes before it
        /// reach the disk before writes after it, but the drive's cache is not flushed: a power
        /// cut (or a kernel panic) can lose the saves acknowledged since the drive last wrote its
        /// cache back, a window no drive documents a bound for.
        /// What survives is always a prefix of the saves: no torn or reordered state, so
        /// recovery is as after a crash. A crash of the app loses nothing either way.
        case barrier
    }
}
