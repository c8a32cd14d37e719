import Dispatch
import Foundation

/// A ``StateStore`` on local disk: per user, a JSON snapshot plus an append-only journal of
/// conversation events, so a save writes only what changed.
///
/// - Saves are durable before they return (see ``Durability``), and every file is
///   human-readable JSON; <doc:OnDiskFormat> specifies it.
/// - Updates of one user are atomic (``updateContext(userID:_:)``), revision-checked saves
///   refuse lost updates (``saveContext(_:ifRevision:)``), and concurrent saves of one user share
///   one `fdatasync` (group commit).
/// - After a crash a user is recovered by replaying the journal over the snapshot; a torn last
///   record is cut off, damage anywhere else is reported, never skipped.
/// - Journals are compacted into new snapshots on a background queue while saves go on.
/// - One writer per directory, across processes: a second gets ``StateStoreError/locked(directory:)``.
///   Any number of read-only stores may open it alongside, and they change no byte.
///
/// How work runs: each user has a slot whose lock guards everything the store knows about
/// that user. An operation is queued in the slot; one worker at a time takes every queued
/// operation, runs them in order under the lock, writes their records together and syncs once.
/// The worker is the caller's own thread when nothing else is in flight (no thread hand-off on a
/// latency-bound path), and otherwise the user's serial Dispatch queue, which gets a thread of its
/// own while it blocks in `fdatasync`. Compaction runs on one background thread, at low I/O
/// priority, and takes the
/// user's lock only to capture and to swap.
public final class FileStateStore: StateStore, Sendable {
    /// The store's root directory.
    public let directory: URL
    /// The options the store was opened with.
    public let options: Options
    /// Things the store did or found (compactions, torn tails, corruption), for logging.
    /// Buffers the newest 1,000 events when nobody listens.
    public let events: AsyncStream<Event>

    let layout: StoreLayout
    let fileSystem: any FileSystem
    let eventSink: AsyncStream<Event>.Continuation
    let registry: UserRegistry
    let pool: DescriptorPool
    let lifecycle: StoreLifecycle
    let watchers = ContextWatchers()
    let compactionThread: CompactionThread
    /// Users with a compaction queued and not yet started (so each is queued once).
    let compactionsQueued = Locked<Set<ExactString>>([])
    let flusher: BatchFlusher?
    private let listingQueue = DispatchQueue(label: "coach-persistence.listing")

    /// Opens (and, unless read-only, creates) the store at `directory`.
    ///
    /// - Throws: ``StateStoreError/locked(directory:)`` if another writer has it open,
    ///   ``StateStoreError/unsupportedFormat(file:found:supported:)`` if a newer version wrote it,
    ///   ``StateStoreError/notAStore(directory:reason:)`` if it is something else.
    public convenience init(directory: URL, options: Options = Options()) throws {
        try self.init(
            directory: directory, options: options,
            fileSystem: PosixFileSystem(root: Self.rootPath(directory), appleSyncMethod: options.appleSyncMethod))
    }

    /// Opens the store through a given file system (tests inject faults here).
    init(directory: URL, options: Options, fileSystem: any FileSystem) throws(StateStoreError) {
        self.directory = directory.standardizedFileURL
        self.options = options
        self.fileSystem = fileSystem
        let layout = StoreLayout(root: Self.rootPath(directory))
        self.layout = layout
        (events, eventSink) = AsyncStream.makeStream(of: Event.self, bufferingPolicy: .bufferingNewest(1000))
        registry = UserRegistry(limit: options.cachedUserLimit) { id in
            UserSlot(userID: id, paths: UserPaths(layout: layout, folder: UserFolderName.encode(id)))
        }
        pool = DescriptorPool(limit: options.maxOpenFiles)
        compactionThread = CompactionThread(label: "coach-persistence.compaction") { [fileSystem] in
            fileSystem.lowerCurrentThreadIOPriority()
        }
        let lock = try StoreOpening.open(layout: layout, fileSystem: fileSystem, readOnly: options.readOnly)
        lifecycle = StoreLifecycle(directory: layout.root, lock: lock)
        // Made only once the store is open: a timer source that was never resumed must not be released.
        if case .batched(let interval) = options.durability, !options.readOnly {
            flusher = BatchFlusher(interval: interval)
        } else {
            flusher = nil
        }
        flusher?.start(store: self)
    }

    deinit {
        // Only reached when no operation holds the store (each holds a reference while it
        // runs), so this is the last code to touch it; `close()` is the orderly way.
        guard !lifecycle.isClosing else { return }
        flusher?.stop()
        _ = flusher?.flushNow(store: self)
        compactionThread.stop()
        pool.closeAll()
        lifecycle.releaseLock()
        watchers.close()
        eventSink.finish()
    }

    // MARK: StateStore

    public func loadContext(userID: String) async throws -> CoachContext? {
        try await loadStoredContext(userID: userID)?.context
    }

    public func loadStoredContext(userID: String) async throws -> StoredContext? {
        try Self.validate(userID: userID)
        return try await run(userID) { store, slot, core, _ in
            try store.currentState(&core, slot).stored
        }
    }

    public func saveContext(_ context: CoachContext) async throws {
        try Self.validate(userID: context.userID)
        try checkWritable()
        _ = try await run(context.userID) { store, slot, core, batch in
            try store.ensureLoaded(&core, slot)
            return try store.stage(context, &core, &batch, slot)
        }
    }

    @discardableResult
    public func saveContext(_ context: CoachContext, ifRevision: ContextRevision?) async throws -> ContextRevision {
        try Self.validate(userID: context.userID)
        try checkWritable()
        return try await run(context.userID) { store, slot, core, batch in
            try store.ensureLoaded(&core, slot)
            let current = core.state?.revision
            guard current == ifRevision else {
                throw StateStoreError.conflict(userID: context.userID, expected: ifRevision, actual: current)
            }
            return try store.stage(context, &core, &batch, slot)
        }
    }

    public func updateContext<T: Sendable>(
        userID: String, _ body: @Sendable (inout CoachContext) throws -> T
    ) async throws -> T {
        try Self.validate(userID: userID)
        try checkWritable()
        // The body runs before this call returns, on the user's worker; it does not escape.
        return try await withoutActuallyEscaping(body) { body in
            try await runUpdate(userID, body)
        }
    }

    public func deleteContext(userID: String) async throws {
        try Self.validate(userID: userID)
        try checkWritable()
        try await run(userID, barrier: true) { store, slot, core, _ in
            try store.delete(&core, slot)
        }
    }

    public func userIDs() async throws -> [String] {
        _ = try lifecycle.enter()
        defer { lifecycle.leave() }
        return try await withCheckedThrowingContinuation { continuation in
            listingQueue.async {
                continuation.resume(with: Result { () throws(StateStoreError) in
                    try UserListing.userIDs(layout: self.layout, fileSystem: self.fileSystem, cleanUp: !self.options.readOnly)
                })
            }
        }
    }

    public func contextUpdates(userID: String) -> ContextUpdates {
        watchers.watch(userID: userID) { [weak self] in
            guard let self else { return nil }
            do {
                return .some(try await self.loadStoredContext(userID: userID))
            } catch {
                return nil  // closed or unreadable: the sequence ends
            }
        }
    }

    /// Finishes the operations in flight, skips queued compactions (finishing the one running),
    /// syncs batched saves, and releases the directory. Every later call throws
    /// ``StateStoreError/closed(directory:)``. Every call, the first or a later one, returns only
    /// once the directory is released, so the store can be reopened right after.
    public func close() async throws {
        try await lifecycle.closing { Task { try await self.finishClosing() } }.value
    }

    private func finishClosing() async throws {
        await lifecycle.waitUntilIdle()
        compactionThread.stop()
        flusher?.stop()
        let failures = flushAll()
        pool.closeAll()
        lifecycle.releaseLock()
        watchers.close()
        eventSink.finish()
        if let failure = failures.first { throw failure }
    }

    // MARK: Helpers

    func emit(_ event: Event) { eventSink.yield(event) }

    func checkWritable() throws(StateStoreError) {
        if lifecycle.isClosing { throw .closed(directory: layout.root) }
        if options.readOnly { throw .readOnly(directory: layout.root) }
    }

    /// Syncs every batched save now; returns the failures.
    @discardableResult
    func flushAll() -> [StateStoreError] {
        flusher?.flushNow(store: self) ?? []
    }

    private static func rootPath(_ directory: URL) -> String {
        var path = directory.standardizedFileURL.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}
