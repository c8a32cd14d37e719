import Foundation

/// The journal events that turn the last persisted context into a new one: what makes a save
/// cost O(change) instead of O(history).
enum ContextDiff {
    /// The events from `old` to `new`, in a fixed order; empty when nothing changed. With no
    /// `old` (a new user) the whole context is one `contextReplaced`.
    static func events(from old: CoachContext?, to new: CoachContext) -> [JournalEvent] {
        guard let old else { return [.contextReplaced(new)] }
        var events = historyEvents(from: old.conversationHistory, to: new.conversationHistory)
        if !exactlyEqual(old.currentState.rawValue, new.currentState.rawValue) {
            events.append(.stateChanged(new.currentState))
        }
        if !exactlyEqual(old.consolidatedSummary, new.consolidatedSummary) {
            events.append(.summaryChanged(new.consolidatedSummary))
        }
        if !sameJSON(old.userProfile, new.userProfile, { w, v throws(JournalJSONWriter.NonFiniteNumber) in try w.profile(v) }) {
            events.append(.profileChanged(new.userProfile))
        }
        if !sameJSON(old.identities, new.identities, { w, v throws(JournalJSONWriter.NonFiniteNumber) in try w.array(v) { w, i in w.identity(i) } }) {
            events.append(.identitiesChanged(new.identities))
        }
        events += metadataEvents(from: old.metadata, to: new.metadata)
        return events
    }

    /// Removals first, then new values. A key replaced by a canonically equivalent one (which a
    /// Swift dictionary treats as the same key) is removed and set again, so its bytes change.
    private static func metadataEvents(from old: [String: JSONValue], to new: [String: JSONValue]) -> [JournalEvent] {
        // The usual save leaves metadata alone: one storage, nothing to compare key by key.
        if sameBits(old, new) { return [] }
        let oldKeys = Set(old.keys.map(ExactString.init))
        let renamed = new.keys.filter { old[$0] != nil && !oldKeys.contains(ExactString($0)) }
        let removed = old.keys.filter { new[$0] == nil } + renamed.map { old[old.index(forKey: $0)!].key }
        let changed = new.filter { key, value in
            guard let previous = old[key], !renamed.contains(key) else { return true }
            return !sameJSON(previous, value, { w, v throws(JournalJSONWriter.NonFiniteNumber) in try w.value(v) })
        }
        var events: [JournalEvent] = []
        if !removed.isEmpty { events.append(.metadataRemoved(removed.sorted())) }
        if !changed.isEmpty { events.append(.metadataSet(changed)) }
        return events
    }

    /// The cheapest events that turn history `old` into `new`. With `k` messages in common at
    /// the start: nothing when the two are the same; an append when `new` only adds to `old`;
    /// otherwise "keep the first `k`" and an append of the rest, which writes `count - k`
    /// messages instead of `count`. Only when the first message changed (`k` is 0) is the whole
    /// history written again: a truncation to 0 would cost an event more and save nothing.
    static func historyEvents(from old: [ChatMessage], to new: [ChatMessage]) -> [JournalEvent] {
        let kept = commonPrefixCount(old, new)
        if kept == old.count && kept == new.count { return [] }
        if kept == 0 && old.count > 0 && !new.isEmpty { return [.historyReplaced(new)] }
        var events: [JournalEvent] = []
        if kept < old.count { events.append(.historyTruncated(kept)) }
        if kept < new.count { events.append(.messagesAppended(Array(new[kept...]))) }
        return events
    }

    /// How many messages at the start of `old` and `new` are exactly equal.
    ///
    /// Histories that share their messages (the usual case: the app changed the end of the array
    /// it loaded) are bit-for-bit equal over the shared part — same string buffers, same dates —
    /// so one `memcmp` settles a pure append, and a scan in chunks of 64 messages finds the first message
    /// whose bits differ. Equal bits imply equal values; only messages whose bits differ are
    /// compared field by field.
    static func commonPrefixCount(_ old: [ChatMessage], _ new: [ChatMessage]) -> Int {
        let n = min(old.count, new.count)
        guard n > 0 else { return 0 }
        let stride = MemoryLayout<ChatMessage>.stride
        var index = old.withUnsafeBytes { o in
            new.withUnsafeBytes { b in
                if memcmp(o.baseAddress!, b.baseAddress!, n * stride) == 0 { return n }
                var i = 0
                let chunk = 64
                while i + chunk <= n, memcmp(o.baseAddress! + i * stride, b.baseAddress! + i * stride, chunk * stride) == 0 { i += chunk }
                while i < n, memcmp(o.baseAddress! + i * stride, b.baseAddress! + i * stride, stride) == 0 { i += 1 }
                return i
            }
        }
        while index < n, sameBits(old[index], new[index]) || exactlyEqual(old[index], new[index]) { index += 1 }
        return index
    }

    private static func exactlyEqual(_ a: ChatMessage, _ b: ChatMessage) -> Bool {
        a.timestamp == b.timestamp && exactlyEqual(a.role.rawValue, b.role.rawValue)
            && exactlyEqual(a.content, b.content) && sameJSON(a.metadata, b.metadata, { w, v throws(JournalJSONWriter.NonFiniteNumber) in try w.object(v) })
    }

    /// Whether two values have identical bits: then they share every buffer and are equal, with
    /// no need to look further (the usual case when the app saves what it loaded, changed a little).
    private static func sameBits<T>(_ a: T, _ b: T) -> Bool {
        withUnsafeBytes(of: a) { x in withUnsafeBytes(of: b) { y in memcmp(x.baseAddress!, y.baseAddress!, x.count) == 0 } }
    }

    /// Whether two values are stored as the same bytes. `==` first, since it rejects most
    /// differences cheaply; but `==` also calls canonically equivalent strings equal, and an edit
    /// from one form to the other must still be saved, so equal values are compared as JSON.
    private static func sameJSON<T: Equatable>(
        _ a: T, _ b: T, _ write: (inout JournalJSONWriter, T) throws(JournalJSONWriter.NonFiniteNumber) -> Void
    ) -> Bool {
        if sameBits(a, b) { return true }
        guard a == b else { return false }
        var x = JournalJSONWriter(), y = JournalJSONWriter()
        do throws(JournalJSONWriter.NonFiniteNumber) {
            try write(&x, a)
            try write(&y, b)
        } catch {
            return false
        }
        return x.bytes == y.bytes
    }

    /// Byte equality: Swift's `==` would call canonically equivalent strings equal and the
    /// store would then keep the old bytes.
    static func exactlyEqual(_ a: String?, _ b: String?) -> Bool {
        a.map(ExactString.init) == b.map(ExactString.init)
    }
}
