extension FileStateStore {
    /// Progress of ``compactAll(progress:)``.
    public struct CompactionProgress: Hashable, Sendable {
        /// Users handled so far, this one included.
        public var completed: Int
        /// Users in all.
        public var total: Int
        /// The user just handled.
        public var userID: String
    }

    /// Compacts `userID` now and returns when its snapshot covers every save made before the
    /// call. Does nothing for an unknown user or an empty journal.
    public func compact(userID: String) async throws {
        try Self.validate(userID: userID)
        try checkWritable()
        _ = try lifecycle.enter()
        defer { lifecycle.leave() }
        let result: Result<Bool, StateStoreError> = await withCheckedContinuation { continuation in
            compactionThread.async {
                continuation.resume(returning: Result { () throws(StateStoreError) in try self.compactNow(userID) })
            }
        }
        _ = try result.get()
    }

    /// Compacts every user, one at a time, calling `progress` after each. A user that fails
    /// (corrupt, unreadable) does not stop the others; the failures are returned.
    @discardableResult
    public func compactAll(progress: (@Sendable (CompactionProgress) -> Void)? = nil) async throws -> [StateStoreError] {
        let ids = try await userIDs()
        var failures: [StateStoreError] = []
        for (index, id) in ids.enumerated() {
            do {
                try await compact(userID: id)
            } catch let error as StateStoreError {
                if case .closed = error { throw error }
                failures.append(error)
            }
            progress?(CompactionProgress(completed: index + 1, total: ids.count, userID: id))
        }
        return failures
    }

    /// Queues a background compaction of the user if its journal passed a threshold. The queue
    /// holds the user's id, not its slot or files: a backlog of compactions holds no descriptor
    /// and does not keep users cached.
    func scheduleCompactionIfDue(_ userID: String, _ state: UserState) {
        guard options.automaticCompaction,
            state.journalLength >= options.compactionThresholdBytes
                || state.journalRecords >= options.compactionThresholdRecords,
            compactionsQueued.withLock({ $0.insert(ExactString(userID)).inserted })
        else { return }
        guard (try? lifecycle.enter()) != nil else {
            compactionsQueued.withLock { _ = $0.remove(ExactString(userID)) }
            return
        }
        compactionThread.async {
            defer { self.lifecycle.leave() }
            self.compactionsQueued.withLock { _ = $0.remove(ExactString(userID)) }
            guard !self.lifecycle.isClosing else { return }  // closing skips the backlog
            do throws(StateStoreError) {
                _ = try self.compactNow(userID)
            } catch {
                self.emit(.compactionFailed(userID: userID, error: error))
            }
        }
    }

    /// Runs one compaction of `userID` on the compaction thread, holding its slot meanwhile.
    private func compactNow(_ userID: String) throws(StateStoreError) -> Bool {
        let slot = registry.acquire(userID)
        defer { registry.release(slot) }
        return try Compaction.run(slot, store: self)
    }
}
