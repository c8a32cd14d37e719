import Dispatch
import Foundation
import Synchronization

/// A ``StateStore`` on local disk: per user, a JSON snapshot plus an append-only journal of
/// conversation events, so a save writes only what changed.
///
/// - Saves are durable before they return (see ``Durability``), and every file is
///   human-readable JSON; <doc:OnDiskFormat> specifies it.
/// - After a crash a user is recovered by replaying the journal over the snapshot; a torn last
///   record is cut off, damage anywhere else is reported, never skipped.
/// - Journals are compacted into new snapshots on a background queue while saves go on.
/// - One writer per directory, across processes: a second gets ``StateStoreError/locked(directory:)``.
///   Any number of read-only stores may open it alongside, and they change no byte.
public final class FileStateStore: StateStore, @unchecked Sendable {
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
    let compactionQueue = DispatchQueue(label: "coach-persistence.compaction", qos: .utility)
    let flusher: BatchFlusher?
    private let state = StoreLifecycle()
    private let inFlight = Atomic<Int>(0)
    private let listingQueue = DispatchQueue(label: "coach-persistence.listing")
    private let watchers = ContextWatchers()

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
        if case .batched(let interval) = options.durability, !options.readOnly {
            flusher = BatchFlusher(interval: interval)
        } else {
            flusher = nil
        }
        let lock = try StoreOpening.open(layout: layout, fileSystem: fileSystem, readOnly: options.readOnly)
        state.lockFile = lock
        flusher?.start(store: self)
    }

    deinit {
        flusher?.stop()
        _ = flusher?.flushNow(store: self, onQueues: false)
        for slot in registry.all { slot.closeFiles() }
        state.lockFile?.close()
        eventSink.finish()
    }

    // MARK: StateStore

    public func loadContext(userID: String) async throws -> CoachContext? {
        try Self.validate(userID: userID)
        return try await perform(userID) { store, slot throws(StateStoreError) in
            try store.loadedState(slot).context
        }
    }

    public func saveContext(_ context: CoachContext) async throws {
        try Self.validate(userID: context.userID)
        try checkWritable()
        try await perform(context.userID) { store, slot throws(StateStoreError) in
            try store.save(context, in: slot)
        }
    }

    public func deleteContext(userID: String) async throws {
        try Self.validate(userID: userID)
        try checkWritable()
        try await perform(userID) { store, slot throws(StateStoreError) in
            try store.delete(slot)
        }
    }

    public func loadStoredContext(userID: String) async throws -> StoredContext? {
        try Self.validate(userID: userID)
        return try await perform(userID) { store, slot throws(StateStoreError) in
            let state = try store.loadedState(slot)
            return state.context.map { StoredContext(context: $0, revision: ContextRevision(sequence: state.sequence, hash: 0)) }
        }
    }

    @discardableResult
    public func saveContext(_ context: CoachContext, ifRevision: ContextRevision?) async throws -> ContextRevision {
        try Self.validate(userID: context.userID)
        try checkWritable()
        return try await perform(context.userID) { store, slot throws(StateStoreError) in
            let state = try store.loadedState(slot)
            let current = state.context.map { _ in ContextRevision(sequence: state.sequence, hash: 0) }
            guard current == ifRevision else {
                throw .conflict(userID: context.userID, expected: ifRevision, actual: current)
            }
            try store.save(context, in: slot)
            return ContextRevision(sequence: slot.state?.sequence ?? 0, hash: 0)
        }
    }

    public func contextUpdates(userID: String) -> ContextUpdates {
        watchers.watch(userID: userID) { [weak self] in
            guard let self else { return nil }
            do {
                return .some(try await self.loadStoredContext(userID: userID))
            } catch {
                return nil
            }
        }
    }

    public func userIDs() async throws -> [String] {
        try checkOpen()
        return try await withCheckedThrowingContinuation { continuation in
            listingQueue.async {
                continuation.resume(with: Result { () throws(StateStoreError) in try self.listUserIDs() })
            }
        }
    }

    /// Finishes pending saves and compactions, syncs batched saves, and releases the directory.
    /// Every later call throws ``StateStoreError/closed(directory:)``.
    public func close() async throws {
        guard state.close() else { return }
        flusher?.stop()
        var failures: [StateStoreError] = []
        repeat {
            for slot in registry.all { await withCheckedContinuation { c in slot.queue.async { c.resume() } } }
            await withCheckedContinuation { c in compactionQueue.async { c.resume() } }
            failures += flushAll()
        } while registry.isBusy
        for slot in registry.all { slot.closeFiles() }
        state.lockFile?.close()
        state.lockFile = nil
        watchers.close()
        eventSink.finish()
        if let failure = failures.first { throw failure }
    }

    // MARK: Running operations

    /// Runs `body` on the user's serial queue.
    ///
    /// When nothing else is in flight the work runs on the caller's thread (`DispatchQueue.sync`
    /// on an idle queue does not switch threads), saving two thread hand-offs on a latency-bound
    /// path. Otherwise it runs on a Dispatch thread, because saves block in `fdatasync` and
    /// parallel saves must not be limited to the few threads of Swift's cooperative pool: the
    /// file system commits concurrent syncs together, so more of them in flight is more throughput.
    func perform<T: Sendable>(
        _ userID: String, _ body: @escaping @Sendable (FileStateStore, UserSlot) throws(StateStoreError) -> T
    ) async throws(StateStoreError) -> T {
        try checkOpen()
        let slot = registry.acquire(userID)
        let alone = inFlight.add(1, ordering: .acquiringAndReleasing).oldValue == 0
        defer { inFlight.subtract(1, ordering: .acquiringAndReleasing) }
        let result: Result<T, StateStoreError>
        if alone {
            result = slot.queue.sync { Result { () throws(StateStoreError) in try body(self, slot) } }
            registry.release(slot)
        } else {
            result = await withCheckedContinuation { continuation in
                slot.queue.async {
                    let result = Result { () throws(StateStoreError) in try body(self, slot) }
                    self.registry.release(slot)
                    continuation.resume(returning: result)
                }
            }
        }
        return try result.get()
    }

    /// The user's state, read from disk if it is not cached. On the slot's queue.
    ///
    /// A read-only store never caches: it reads the files on every load, so that a person
    /// inspecting a store sees what the live writer wrote since (``UserFiles`` reads them so
    /// they match even while the writer compacts).
    func loadedState(_ slot: UserSlot) throws(StateStoreError) -> UserState {
        if let state = slot.state, !options.readOnly { return state }
        do {
            let outcome = try UserRecovery.load(
                userID: slot.userID, paths: slot.paths, fileSystem: fileSystem, writable: !options.readOnly)
            if let event = outcome.tornTail { emit(event) }
            slot.loads += 1
            slot.state = options.readOnly ? nil : outcome.state
            return outcome.state
        } catch {
            if case .corruptJournal = error { emit(.corruptionFound(error)) }
            if case .corruptSnapshot = error { emit(.corruptionFound(error)) }
            throw error
        }
    }

    private func save(_ context: CoachContext, in slot: UserSlot) throws(StateStoreError) {
        let events = ContextDiff.events(from: try loadedState(slot).context, to: context)
        guard !events.isEmpty else { return }
        // Take the state out of the slot so the cached history is uniquely referenced and the
        // events below append to it in place instead of copying it.
        var state = slot.state!
        slot.state = nil
        let record = JournalRecord(sequence: state.sequence + 1, events: events)
        let line: [UInt8]
        do {
            line = try record.encodedLine()
        } catch {
            slot.state = state
            throw .encodingFailed(userID: context.userID, reason: Self.encodingFailure(context, error))
        }
        let previousLength = state.journalLength
        do {
            let unsynced = try JournalWriter.append(
                line, to: &state, paths: slot.paths, fileSystem: fileSystem, sync: options.durability == .durable)
            if let flusher, options.durability != .durable { flusher.markDirty(slot, directories: unsynced, registry: registry) }
        } catch {
            // Best effort to leave the journal as it was; the next load re-reads it either way.
            try? state.journal?.truncate(to: Int64(previousLength))
            state.closeJournal()
            throw StateStoreError(error)
        }
        // The cache is the replay of what is on disk, not the caller's value: it keeps its own
        // history buffer, so neither side's next append has to copy the other's.
        var cached = state.context ?? CoachContext(userID: context.userID)
        state.context = nil
        for event in events { event.apply(to: &cached) }
        state.context = cached
        state.sequence = record.sequence
        slot.state = state
        scheduleCompactionIfDue(slot, state)
    }

    private func delete(_ slot: UserSlot) throws(StateStoreError) {
        slot.snapshotLock.lock()
        defer { slot.snapshotLock.unlock() }
        slot.generation += 1
        slot.closeFiles()
        do {
            try UserDeletion.delete(paths: slot.paths, fileSystem: fileSystem)
        } catch {
            throw StateStoreError(error)
        }
        slot.state = UserState(userID: slot.userID, folder: slot.paths.folder)
    }

    private func listUserIDs() throws(StateStoreError) -> [String] {
        try UserListing.userIDs(layout: layout, fileSystem: fileSystem, cleanUp: !options.readOnly)
    }

    // MARK: Helpers

    func emit(_ event: Event) { eventSink.yield(event) }

    func checkOpen() throws(StateStoreError) {
        if state.isClosed { throw .closed(directory: layout.root) }
    }

    func checkWritable() throws(StateStoreError) {
        try checkOpen()
        if options.readOnly { throw .readOnly(directory: layout.root) }
    }

    /// Syncs every batched save now; returns the failures.
    @discardableResult
    func flushAll() -> [StateStoreError] {
        guard let flusher else { return [] }
        return flusher.flushNow(store: self)
    }

    /// Why a context cannot be written, with the key path in the context that `JSONEncoder`
    /// names (it is only asked once the fast writer has failed).
    private static func encodingFailure(_ context: CoachContext, _ error: JournalJSONWriter.NonFiniteNumber) -> String {
        do {
            _ = try JSONCoding.compactEncoder().encode(context)
        } catch {
            return JSONCoding.reason(error)
        }
        return error.description
    }

    private static func rootPath(_ directory: URL) -> String {
        var path = directory.standardizedFileURL.path
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        return path
    }
}

/// Whether a store is open, and the lock it holds while it is.
private final class StoreLifecycle: @unchecked Sendable {
    private let lock = NSLock()
    private var closed = false
    private var _lockFile: (any HeldLock)?

    var isClosed: Bool { lock.withLock { closed } }

    var lockFile: (any HeldLock)? {
        get { lock.withLock { _lockFile } }
        set { lock.withLock { _lockFile = newValue } }
    }

    /// Marks the store closed; `false` if it already was.
    func close() -> Bool {
        lock.withLock {
            defer { closed = true }
            return !closed
        }
    }
}
