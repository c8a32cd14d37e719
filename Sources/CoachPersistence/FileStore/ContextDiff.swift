import Foundation

/// The journal events that turn the last persisted context into a new one: what makes a save
/// cost O(change) instead of O(history).
enum ContextDiff {
    /// The events from `old` to `new`, in a fixed order; empty when nothing changed. With no
    /// `old` (a new user) the whole context is one `contextReplaced`.
    static func events(from old: CoachContext?, to new: CoachContext) -> [JournalEvent] {
        guard let old else { return [.contextReplaced(new)] }
        var events: [JournalEvent] = []
        if historyPrefixUnchanged(old.conversationHistory, new.conversationHistory) {
            if new.conversationHistory.count > old.conversationHistory.count {
                events.append(.messagesAppended(Array(new.conversationHistory[old.conversationHistory.count...])))
            }
        } else {
            events.append(.historyReplaced(new.conversationHistory))
        }
        if !exactlyEqual(old.currentState.rawValue, new.currentState.rawValue) {
            events.append(.stateChanged(new.currentState))
        }
        if !exactlyEqual(old.consolidatedSummary, new.consolidatedSummary) {
            events.append(.summaryChanged(new.consolidatedSummary))
        }
        if old.userProfile != new.userProfile { events.append(.profileChanged(new.userProfile)) }
        if old.identities != new.identities { events.append(.identitiesChanged(new.identities)) }
        let changed = new.metadata.filter { key, value in old.metadata[key] != value }
        if !changed.isEmpty { events.append(.metadataSet(changed)) }
        let removed = old.metadata.keys.filter { new.metadata[$0] == nil }
        if !removed.isEmpty { events.append(.metadataRemoved(removed.sorted())) }
        return events
    }

    /// Whether `new` starts with exactly the messages of `old`.
    ///
    /// Histories that share their messages (the usual case: the app appended to the array it
    /// loaded) are bit-for-bit equal over the prefix — same string buffers, same dates — so one
    /// `memcmp` settles it. Equal bits imply equal values; only when the bits differ are the
    /// messages compared field by field.
    static func historyPrefixUnchanged(_ old: [ChatMessage], _ new: [ChatMessage]) -> Bool {
        guard new.count >= old.count else { return false }
        guard !old.isEmpty else { return true }
        let sameBits = old.withUnsafeBytes { o in
            new.withUnsafeBytes { n in memcmp(o.baseAddress!, n.baseAddress!, o.count) == 0 }
        }
        if sameBits { return true }
        return old.indices.allSatisfy { exactlyEqual(old[$0], new[$0]) }
    }

    private static func exactlyEqual(_ a: ChatMessage, _ b: ChatMessage) -> Bool {
        a.timestamp == b.timestamp && exactlyEqual(a.role.rawValue, b.role.rawValue)
            && exactlyEqual(a.content, b.content) && a.metadata == b.metadata
    }

    /// Byte equality: Swift's `==` would call canonically equivalent strings equal and the
    /// store would then keep the old bytes.
    static func exactlyEqual(_ a: String?, _ b: String?) -> Bool {
        switch (a, b) {
        case (nil, nil): return true
        case (var a?, var b?):
            return a.withUTF8 { x in b.withUTF8 { y in x.count == y.count && (x.isEmpty || memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0) } }
        default: return false
        }
    }
}
