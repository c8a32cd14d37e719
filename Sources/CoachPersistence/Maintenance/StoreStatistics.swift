/// Counts over a whole store: what `coach-store stats` prints.
public struct StoreStatistics: Hashable, Sendable {
    /// Users with data.
    public var users: Int
    /// Users whose files cannot be read; their messages are not counted.
    public var unreadableUsers: [String]
    /// Readable users per coaching state, by the state's raw value.
    public var usersPerState: [String: Int]
    /// Messages of every readable user.
    public var messages: Int
    /// Messages per role, by the role's raw value.
    public var messagesPerRole: [String: Int]
    /// ``messages`` divided by the readable users (0 when there are none).
    public var averageMessagesPerUser: Double {
        let readable = users - unreadableUsers.count
        return readable > 0 ? Double(messages) / Double(readable) : 0
    }
    /// Bytes in every `journal.jsonl`.
    public var journalBytes: Int
    /// Sound records in every journal.
    public var journalRecords: Int
    /// Records no snapshot covers yet: what compaction would fold in.
    public var pendingRecords: Int
    /// Bytes in every `snapshot.json`.
    public var snapshotBytes: Int
    /// Users with a snapshot.
    public var snapshots: Int
}

extension StoreInspector {
    /// Counts users, states, messages and bytes over the whole store.
    public func statistics() throws -> StoreStatistics {
        var stats = StoreStatistics(
            users: 0, unreadableUsers: [], usersPerState: [:], messages: 0, messagesPerRole: [:],
            journalBytes: 0, journalRecords: 0, pendingRecords: 0, snapshotBytes: 0, snapshots: 0)
        for id in try userIDs() {
            let found: Inspection?
            do throws(StateStoreError) {
                found = try inspect(id)
            } catch {
                // Counted, and named: one unreadable user must not hide the others' counts.
                stats.users += 1
                stats.unreadableUsers.append(id)
                continue
            }
            guard let inspection = found else { continue }
            let summary = inspection.summary
            stats.users += 1
            stats.journalBytes += summary.journalBytes
            stats.journalRecords += summary.journalRecords
            stats.pendingRecords += summary.pendingRecords
            if let bytes = summary.snapshotBytes {
                stats.snapshotBytes += bytes
                stats.snapshots += 1
            }
            guard case .success(let state) = inspection.loaded, let context = state.context else {
                stats.unreadableUsers.append(id)
                continue
            }
            stats.usersPerState[context.currentState.rawValue, default: 0] += 1
            stats.messages += context.conversationHistory.count
            for message in context.conversationHistory {
                stats.messagesPerRole[message.role.rawValue, default: 0] += 1
            }
        }
        return stats
    }
}
