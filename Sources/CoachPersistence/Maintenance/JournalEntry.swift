import Foundation

/// One line of a user's `journal.jsonl`, as stored: what ``StoreInspector/journal(userID:)``
/// returns and `coach-store log` prints.
public struct JournalEntry: Hashable, Sendable {
    /// Whether a line holds a record this code can use.
    public enum Status: Hashable, Sendable {
        /// The checksum holds and the record decodes.
        case ok
        /// The bytes are not what was written: a checksum mismatch, a broken frame, or a last
        /// line without its newline. The reason says which.
        case damaged(String)
        /// The checksum holds but the content cannot be decoded (a newer or broken writer).
        case undecodable(String)
    }

    /// One event of a record, summarized for a person.
    public struct Event: Hashable, Sendable {
        /// The event's type as stored (`messagesAppended`, `stateChanged`, …).
        public var type: String
        /// A short, readable account of the payload (`user: "I keep skipping…"`, `→ actionPlanning`).
        public var summary: String
    }

    /// 1-based line number, as an editor shows it.
    public var line: Int
    /// Where the line starts in the file, in bytes.
    public var offset: Int
    /// The line's length in bytes, newline included.
    public var length: Int
    /// The record's sequence number; `nil` when the line is not a readable record.
    public var sequence: UInt64?
    /// The record's events, in order; empty when the line is not a readable record.
    public var events: [Event]
    /// Checksum and decoding status.
    public var status: Status
    /// Whether the snapshot already covers this record (its sequence is at or below the
    /// snapshot's), so replay skips it and the next compaction drops it.
    public var coveredBySnapshot: Bool
    /// The first bytes of a line that is not a readable record, for a person to look at.
    public var excerpt: String?

    init(_ line: JournalReader.Line, bytes: [UInt8], snapshotSequence: UInt64) {
        self.line = line.number
        offset = line.range.lowerBound
        length = line.range.count
        switch line.result {
        case .success(let record):
            sequence = record.sequence
            events = record.events.map { Event(type: $0.typeName, summary: Self.summary(of: $0)) }
            status = .ok
            coveredBySnapshot = record.sequence <= snapshotSequence
            excerpt = nil
        case .failure(let error):
            sequence = nil
            events = []
            switch error {
            case .damaged(let reason): status = .damaged(reason)
            case .undecodable(let reason): status = .undecodable(reason)
            }
            coveredBySnapshot = false
            let raw = bytes[line.range].prefix(80).filter { $0 != UInt8(ascii: "\n") }
            excerpt = String(decoding: raw, as: UTF8.self)
        }
    }

    // MARK: Summaries

    static func summary(of event: JournalEvent) -> String {
        switch event {
        case .contextReplaced(let context):
            return "whole context: \(context.currentState), \(count(context.conversationHistory.count, "message"))"
        case .messagesAppended(let messages):
            guard let first = messages.first else { return "no messages" }
            let more = messages.count > 1 ? " (+\(messages.count - 1) more)" : ""
            return "\(first.role): \(quote(first.content))\(more)"
        case .historyReplaced(let messages):
            return "history rewritten: \(count(messages.count, "message"))"
        case .historyTruncated(let kept):
            return "history cut to its first \(count(kept, "message"))"
        case .stateChanged(let state):
            return "→ \(state)"
        case .summaryChanged(let summary):
            return summary.map(quote) ?? "cleared"
        case .profileChanged(let profile):
            var parts: [String] = []
            if let name = profile.preferredName { parts.append("name \(quote(name))") }
            if !profile.goals.isEmpty { parts.append(count(profile.goals.count, "goal")) }
            if !profile.values.isEmpty { parts.append(count(profile.values.count, "value")) }
            if let zone = profile.timeZone { parts.append(zone) }
            return parts.isEmpty ? "empty profile" : parts.joined(separator: ", ")
        case .identitiesChanged(let identities):
            guard let first = identities.first else { return "no identities" }
            let more = identities.count > 1 ? " (+\(identities.count - 1) more)" : ""
            return "\(quote(first.statement)) \(first.status.rawValue)\(more)"
        case .metadataSet(let values):
            return values.keys.sorted().map { "\($0) = \(short(values[$0]!))" }.joined(separator: ", ")
        case .metadataRemoved(let keys):
            return "removed " + keys.joined(separator: ", ")
        }
    }

    private static func count(_ n: Int, _ noun: String) -> String { n == 1 ? "1 \(noun)" : "\(n) \(noun)s" }

    /// `"text"` on one line, cut to 40 characters.
    private static func quote(_ text: String) -> String {
        let flat = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        return "\"" + (flat.count > 40 ? flat.prefix(39) + "…" : flat) + "\""
    }

    private static func short(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return quote(text)
        case .number(let n): return n == n.rounded() && abs(n) < 1e15 ? String(Int64(n)) : String(n)
        case .bool(let b): return String(b)
        case .null: return "null"
        case .array(let items): return "[\(items.count) items]"
        case .object(let fields): return "{\(fields.count) keys}"
        }
    }
}
