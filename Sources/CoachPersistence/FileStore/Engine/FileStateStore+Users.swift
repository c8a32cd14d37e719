
/// The per-user engine: queuing operations in a user's slot, running them in batches under the
/// user's lock, and writing each batch with one sync.
extension FileStateStore {
    /// What an operation does with the user's lock held.
    typealias UserWork<T> = @Sendable (FileStateStore, UserSlot, inout UserSlot.Core, inout UserBatch) throws -> T

    /// Runs `work` for `userID` and returns its result once what it wrote is on disk.
    ///
    /// When nothing else is in flight and the user is idle, the caller's thread runs it right
    /// here (``runInline(_:_:)``): no thread hand-off, request or result box on the
    /// latency-bound path of a single client. Otherwise it is queued in the user's slot and the
    /// user's queue runs it, because saves block in `fdatasync` and must not be limited to the
    /// few threads of Swift's cooperative pool.
    ///
    /// `work` does not escape: this call returns only after the worker has run it, and the
    /// worker releases it before delivering the result (see ``UserRequest``). So call sites
    /// capture the context they save without copying it into a closure box.
    func run<T: Sendable>(_ userID: String, barrier: Bool = false, _ work: UserWork<T>) async throws -> T {
        let alone = try lifecycle.enter()
        defer { lifecycle.leave() }
        let slot = registry.acquire(userID)
        defer { registry.release(slot) }
        if alone, slot.beginInline() {
            let result = runInline(work, slot)
            if slot.continueDraining() { slot.queue.async { self.drain(slot) } }
            return try result.get()
        }
        return try await withoutActuallyEscaping(work) { work in
            let box = ResultBox<T>()
            let request = UserRequest(isBarrier: barrier) { core, batch in
                let result = Result { try work(self, slot, &core, &batch) }
                let sawStaged = batch.hasStaged
                return { failure in box.set(Self.outcome(result, sawStaged: sawStaged, failure: failure)) }
            }
            if slot.submit(request) { slot.queue.async { self.drain(slot) } }
            return try await box.value()
        }
    }

    /// Runs one operation as a batch of its own on the caller's thread, with the user's lock
    /// held from the work through the sync, as a worker would.
    private func runInline<T>(_ work: UserWork<T>, _ slot: UserSlot) -> Result<T, any Error> {
        slot.core.withLock { core in
            var batch = UserBatch()
            let result = Result { try work(self, slot, &core, &batch) }
            let sawStaged = batch.hasStaged
            let failure = sawStaged ? commit(&batch, &core, slot) : nil
            return Self.outcome(result, sawStaged: sawStaged, failure: failure)
        }
    }

    /// What an operation returns once its batch was written. A result computed after a record
    /// was staged (its own or an earlier one's in the batch) saw that record: if the batch then
    /// failed to reach the disk, so does the operation.
    static func outcome<T>(_ result: Result<T, any Error>, sawStaged: Bool, failure: StateStoreError?) -> Result<T, any Error> {
        guard let failure, sawStaged else { return result }
        return .failure(failure)
    }

    /// ``updateContext(userID:_:)``'s work: the body applied to the latest context, staged as one record.
    func runUpdate<T: Sendable>(_ userID: String, _ body: @escaping @Sendable (inout CoachContext) throws -> T) async throws -> T {
        try await run(userID) { store, slot, core, batch in
            try store.ensureLoaded(&core, slot)
            let (context, result) = try { () throws -> (CoachContext, T) in
                var context = core.state?.context ?? CoachContext(userID: userID)
                let result = try body(&context)
                return (context, result)
            }()
            try Self.validateUpdate(of: userID, leaving: context)
            _ = try store.stage(context, &core, &batch, slot)
            return result
        }
    }

    /// Takes the slot's queued requests and runs them, round after round, until none are left
    /// (then the slot marks the worker stopped, so the next request starts one).
    func drain(_ slot: UserSlot) {
        while true {
            var requests = slot.takeRequests()  // the round's only copy: the requests run in place
            if requests.isEmpty { return }
            process(&requests, slot)
        }
    }

    /// Runs one round: each run of requests up to a barrier becomes one batch (a barrier starts
    /// a batch of its own, which the requests after it join).
    private func process(_ requests: inout [UserRequest], _ slot: UserSlot) {
        var start = 0
        for index in requests.indices where requests[index].isBarrier && index > start {
            runBatch(&requests, start..<index, slot)
            start = index
        }
        runBatch(&requests, start..<requests.endIndex, slot)
    }

    /// Runs `requests[range]` in order under the user's lock, writes what they staged with one
    /// sync, and then finishes them. Each request's work is released as it runs (see
    /// ``UserRequest``), so an update's body never outlives its call.
    private func runBatch(_ requests: inout [UserRequest], _ range: Range<Int>, _ slot: UserSlot) {
        slot.core.withLock { core in
            var batch = UserBatch()
            var finishes: [UserRequest.Finish] = []
            finishes.reserveCapacity(range.count)
            for index in range { finishes.append(requests[index].run(&core, &batch)) }
            let failure = batch.hasStaged ? commit(&batch, &core, slot) : nil
            for finish in finishes { finish(failure) }
        }
    }

    /// Writes the batch's records and syncs them as the durability says; `nil` on success. On a
    /// failure the user's cache is dropped (durability rule 10: re-read from disk before the next write).
    private func commit(_ batch: inout UserBatch, _ core: inout UserSlot.Core, _ slot: UserSlot) -> StateStoreError? {
        // Moved out, not copied: a copy retains every field of the cached context.
        guard var state = core.state.take() else { return nil }
        let durable = options.durability == .durable
        do throws(StateStoreError) {
            let target = JournalWriter.Target(paths: slot.paths, fileSystem: fileSystem, pool: pool, journal: slot.journal, sync: durable)
            let unsyncedDirectories = try JournalWriter.append(batch.bytes, at: batch.startLength, state: &state, to: target)
            if !durable, let flusher {
                core.unsynced = true
                core.unsyncedDirectories += unsyncedDirectories
                flusher.markDirty(slot, registry: registry)
            }
        } catch {
            return error
        }
        // The compaction it may queue waits for this lock, so the state is in place before it runs.
        scheduleCompactionIfDue(slot.userID, state)
        core.state = consume state  // the last use: a move, where a copy retained every field
        for (userID, value) in batch.published { watchers.publish(value, userID: userID) }
        return nil
    }

    /// Makes sure the user's state is cached (a writable store), reading it from disk if needed.
    func ensureLoaded(_ core: inout UserSlot.Core, _ slot: UserSlot) throws(StateStoreError) {
        if core.state == nil { core.state = try readState(&core, slot) }
    }

    /// The user's state: the cached one, or for a read-only store (which never caches, so a
    /// person inspecting a store sees what the live writer wrote since) a fresh read.
    func currentState(_ core: inout UserSlot.Core, _ slot: UserSlot) throws(StateStoreError) -> UserState {
        if options.readOnly { return try readState(&core, slot) }
        try ensureLoaded(&core, slot)
        return core.state!
    }

    private func readState(_ core: inout UserSlot.Core, _ slot: UserSlot) throws(StateStoreError) -> UserState {
        do {
            let outcome = try UserRecovery.load(
                userID: slot.userID, paths: slot.paths, fileSystem: fileSystem, writable: !options.readOnly)
            if let cut = outcome.tornTail {
                emit(
                    cut.copyFailure.map {
                        .tornTailDiscarded(userID: slot.userID, line: cut.line, keptBytes: cut.keptBytes, cutBytes: cut.cutBytes, reason: $0)
                    } ?? .tornTailTruncated(userID: slot.userID, line: cut.line, keptBytes: cut.keptBytes, cutBytes: cut.cutBytes))
            }
            core.loads += 1
            return outcome.state
        } catch {
            if case .corruptJournal = error { emit(.corruptionFound(error)) }
            if case .corruptSnapshot = error { emit(.corruptionFound(error)) }
            throw error
        }
    }

    /// Stages `context` as the user's next record; returns its revision (the current one when
    /// nothing changed, and nothing is written).
    func stage(
        _ context: CoachContext, _ core: inout UserSlot.Core, _ batch: inout UserBatch, _ slot: UserSlot
    ) throws(StateStoreError) -> ContextRevision {
        // Changed in place, through the optional: taking it out and putting it back copied the
        // state once per save (retaining every field of the context), and the cached history
        // must stay uniquely referenced so the events below append to it without copying it.
        try Self.stage(context, onto: &core.state!, &batch, publishing: watchers.isWatching(slot.userID))
    }

    private static func stage(
        _ context: CoachContext, onto state: inout UserState, _ batch: inout UserBatch, publishing: @autoclosure () -> Bool
    ) throws(StateStoreError) -> ContextRevision {
        let events = ContextDiff.events(from: state.context, to: context)
        if events.isEmpty, let revision = state.revision { return revision }
        let line: [UInt8]
        do {
            line = try JournalRecord(sequence: state.sequence + 1, events: events).encodedLine()
        } catch {
            throw .encodingFailed(userID: context.userID, reason: encodingFailure(context, error))
        }
        if !batch.hasStaged { batch.startLength = state.journalLength }
        batch.lines.append(line)
        // The cache is the replay of what is written, not the caller's value: it keeps its own
        // history buffer, so neither side's next append has to copy the other's.
        var cached = state.context.take() ?? CoachContext(userID: context.userID)
        for event in events { event.apply(to: &cached) }
        state.context = cached
        state.sequence += 1
        state.revisionHash = RevisionHash.chain(state.revisionHash, line.dropLast())
        state.journalLength += line.count
        state.journalRecords += 1
        if publishing() { batch.published.append((state.userID, state.stored)) }
        return ContextRevision(sequence: state.sequence, hash: state.revisionHash)
    }

    /// Deletes the user's folder. Bumps the generation first (waiting for a compaction that is
    /// writing the snapshot), so a compaction that started before never writes into the user's
    /// new life; nothing is left for a batched flush to sync.
    func delete(_ core: inout UserSlot.Core, _ slot: UserSlot) throws(StateStoreError) {
        slot.generation.withLock { $0 += 1 }
        pool.discard(slot.journal)
        core.state = nil
        do {
            try UserDeletion.delete(paths: slot.paths, fileSystem: fileSystem)
        } catch {
            throw StateStoreError(error)
        }
        core.state = UserState(userID: slot.userID, folder: slot.paths.folder)
        core.unsynced = false
        core.unsyncedDirectories = []
        watchers.publish(nil, userID: slot.userID)
    }

    /// Syncs what the user's batched saves still owe; returns the failure, if any. A failed sync
    /// drops the user's cache (durability rule 10) and is reported once: a later sync that succeeds proves
    /// nothing about the writes the failed one covered.
    func flush(_ slot: UserSlot) -> StateStoreError? {
        slot.core.withLock { core in
            guard core.unsynced || !core.unsyncedDirectories.isEmpty else { return nil }
            defer {
                core.unsynced = false
                core.unsyncedDirectories = []
            }
            do throws(FileSystemError) {
                if core.unsynced {
                    let lease = try pool.lease(slot.journal) { () throws(FileSystemError) in
                        try fileSystem.openFile(slot.paths.journal, create: false, truncate: false)
                    }
                    defer { slot.journal.release() }
                    try lease.file.sync(dataOnly: true)
                }
                for directory in core.unsyncedDirectories { try fileSystem.syncDirectory(directory) }
                return nil
            } catch {
                core.state = nil
                return StateStoreError(error)
            }
        }
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
}
