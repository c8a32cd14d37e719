import Foundation

/// The model types, journal records and snapshot bodies, read as their `Decodable` conformances
/// decode them: the same keys, the same defaults for missing ones (`null` counts as missing
/// wherever the conformance uses `decodeIfPresent`), unknown keys skipped.
///
/// A key the conformance reads that appears twice declines: `JSONDecoder` keeps the first, but
/// the store never writes one twice. Each model reader keeps a ``SeenKeys`` set for that.
extension JournalJSONReader {
    /// `snapshot.json` as `SnapshotFile` reads it: the body's fields, its `checksum` key skipped
    /// (the caller has checked it on the bytes).
    struct SnapshotBody: Equatable {
        var context: CoachContext
        var format: Int
        var revision: String?
        var sequence: UInt64
    }

    /// A snapshot file's body; `nil` when the reader declines (decode with `JSONDecoder` then).
    static func snapshotBody(_ bytes: UnsafeBufferPointer<UInt8>) -> SnapshotBody? {
        document(bytes) { reader throws(Declined) in
            var context: CoachContext?
            var format: Int?
            var revision: String?
            var sequence: UInt64?
            var seen = SeenKeys()
            guard try reader.beginObject() else { throw Declined() }
            repeat {
                switch try reader.modelKey() {
                case "context": try seen.insert(0); context = try reader.context()
                case "format": try seen.insert(1); format = try reader.integer()
                case "revision": try seen.insert(2); revision = try reader.consumeNull() ? nil : reader.string()
                case "sequence": try seen.insert(3); sequence = try reader.integer()
                default: try reader.skipValue()
                }
            } while try reader.endOfMember()
            guard let context, let format, let sequence else { throw Declined() }
            return SnapshotBody(context: context, format: format, revision: revision, sequence: sequence)
        }
    }

    /// A journal line's record, `{"seq": N, "events": […], "crc": "…"}`, its `crc` skipped like
    /// any unknown member (the caller checks it, or deliberately does not); `nil` when the
    /// reader declines.
    static func record(_ bytes: UnsafeBufferPointer<UInt8>) -> JournalRecord? {
        document(bytes) { reader throws(Declined) in
            var sequence: UInt64?
            var events: [JournalEvent]?
            var seen = SeenKeys()
            guard try reader.beginObject() else { throw Declined() }
            repeat {
                switch try reader.modelKey() {
                case "seq": try seen.insert(0); sequence = try reader.integer()
                case "events": try seen.insert(1); events = try reader.array { r throws(Declined) in try r.event() }
                default: try reader.skipValue()
                }
            } while try reader.endOfMember()
            guard let sequence, let events else { throw Declined() }
            return JournalRecord(sequence: sequence, events: events)
        }
    }

    /// The keys of one object that were read, to decline on a repeated one.
    struct SeenKeys {
        private var bits: UInt8 = 0

        /// Records key number `index`; declines when it was seen before.
        mutating func insert(_ index: Int) throws(Declined) {
            let bit: UInt8 = 1 << index
            guard bits & bit == 0 else { throw Declined() }
            bits |= bit
        }
    }

    // MARK: Events

    /// The event types, by their names in a record.
    private enum EventType {
        case contextReplaced, messagesAppended, historyReplaced, historyTruncated, stateChanged
        case summaryChanged, profileChanged, identitiesChanged, metadataSet, metadataRemoved

        init(_ name: Key) throws(Declined) {
            switch name {
            case "contextReplaced": self = .contextReplaced
            case "messagesAppended": self = .messagesAppended
            case "historyReplaced": self = .historyReplaced
            case "historyTruncated": self = .historyTruncated
            case "stateChanged": self = .stateChanged
            case "summaryChanged": self = .summaryChanged
            case "profileChanged": self = .profileChanged
            case "identitiesChanged": self = .identitiesChanged
            case "metadataSet": self = .metadataSet
            case "metadataRemoved": self = .metadataRemoved
            // Unknown types are an error of JSONDecoder's (with a message); names with escapes
            // or canonically equivalent spellings are its business too.
            default: throw Declined()
            }
        }
    }

    /// `{"type": "<name>", "value": <payload>}`.
    mutating func event() throws(Declined) -> JournalEvent {
        var type: EventType?
        var event: JournalEvent?
        // A value before its type (a hand-edited record) is skipped, then read from here.
        var valueStart: Int?
        var seen = SeenKeys()
        guard try beginObject() else { throw Declined() }
        repeat {
            switch try modelKey() {
            case "type":
                try seen.insert(0)
                type = try EventType(Key(bytes: plainStringBytes()))
            case "value":
                try seen.insert(1)
                if let type {
                    event = try eventValue(type)
                } else {
                    valueStart = position
                    try skipValue()
                }
            default: try skipValue()
            }
        } while try endOfMember()
        guard let type else { throw Declined() }
        if let event { return event }
        guard let valueStart else {
            // Only `summaryChanged` decodes its value with `decodeIfPresent`: a missing one is nil.
            guard case .summaryChanged = type else { throw Declined() }
            return .summaryChanged(nil)
        }
        return try readAgain(at: valueStart) { r throws(Declined) in try r.eventValue(type) }
    }

    private mutating func eventValue(_ type: EventType) throws(Declined) -> JournalEvent {
        switch type {
        case .contextReplaced: return .contextReplaced(try context())
        case .messagesAppended: return .messagesAppended(try messages())
        case .historyReplaced: return .historyReplaced(try messages())
        case .historyTruncated:
            // JSONDecoder throws for a negative count.
            let count: Int = try integer()
            guard count >= 0 else { throw Declined() }
            return .historyTruncated(count)
        case .stateChanged: return .stateChanged(CoachingState(rawValue: try string()))
        case .summaryChanged: return .summaryChanged(try consumeNull() ? nil : string())
        case .profileChanged: return .profileChanged(try profile())
        case .identitiesChanged: return .identitiesChanged(try array { r throws(Declined) in try r.identity() })
        case .metadataSet: return .metadataSet(try jsonObject())
        case .metadataRemoved: return .metadataRemoved(try strings())
        }
    }

    // MARK: Model types

    /// A ``CoachContext``: `userID` required, every other field defaulted.
    mutating func context() throws(Declined) -> CoachContext {
        var userID: String?
        var context = CoachContext(userID: "")
        var seen = SeenKeys()
        guard try beginObject() else { throw Declined() }
        repeat {
            switch try modelKey() {
            case "userID": try seen.insert(0); userID = try string()
            case "currentState":
                try seen.insert(1)
                if try !consumeNull() { context.currentState = CoachingState(rawValue: try string()) }
            case "conversationHistory":
                try seen.insert(2)
                if try !consumeNull() { context.conversationHistory = try messages() }
            case "consolidatedSummary":
                try seen.insert(3)
                if try !consumeNull() { context.consolidatedSummary = try string() }
            case "userProfile":
                try seen.insert(4)
                if try !consumeNull() { context.userProfile = try profile() }
            case "identities":
                try seen.insert(5)
                if try !consumeNull() { context.identities = try array { r throws(Declined) in try r.identity() } }
            case "metadata":
                try seen.insert(6)
                if try !consumeNull() { context.metadata = try jsonObject() }
            default: try skipValue()
            }
        } while try endOfMember()
        guard let userID else { throw Declined() }
        context.userID = userID
        return context
    }

    private mutating func messages() throws(Declined) -> [ChatMessage] {
        try array { r throws(Declined) in try r.message() }
    }

    /// A ``ChatMessage``: `role`, `content` and `timestamp` required, `metadata` defaulted.
    mutating func message() throws(Declined) -> ChatMessage {
        var role: String?
        var content: String?
        var timestamp: Date?
        var metadata: [String: JSONValue] = [:]
        var seen = SeenKeys()
        guard try beginObject() else { throw Declined() }
        repeat {
            switch try modelKey() {
            case "content": try seen.insert(0); content = try string()
            case "role": try seen.insert(1); role = try string()
            case "timestamp": try seen.insert(2); timestamp = try self.timestamp()
            case "metadata":
                try seen.insert(3)
                if try !consumeNull() { metadata = try jsonObject() }
            default: try skipValue()
            }
        } while try endOfMember()
        guard let role, let content, let timestamp else { throw Declined() }
        // The initializer rounds the date to the millisecond, which leaves a date made from a
        // whole number of milliseconds as it is (see `Timestamp`).
        return ChatMessage(role: ChatMessage.Role(rawValue: role), content: content, timestamp: timestamp, metadata: metadata)
    }

    /// An ``Identity``: `id`, `statement` and `createdAt` required, the rest defaulted.
    mutating func identity() throws(Declined) -> Identity {
        var id: String?
        var statement: String?
        var status = Identity.Status.exploring
        var supportingActions: [String] = []
        var createdAt: Date?
        var seen = SeenKeys()
        guard try beginObject() else { throw Declined() }
        repeat {
            switch try modelKey() {
            case "createdAt": try seen.insert(0); createdAt = try timestamp()
            case "id": try seen.insert(1); id = try string()
            case "statement": try seen.insert(2); statement = try string()
            case "status":
                try seen.insert(3)
                if try !consumeNull() { status = Identity.Status(rawValue: try string()) }
            case "supportingActions":
                try seen.insert(4)
                if try !consumeNull() { supportingActions = try strings() }
            default: try skipValue()
            }
        } while try endOfMember()
        guard let id, let statement, let createdAt else { throw Declined() }
        return Identity(id: id, statement: statement, status: status, supportingActions: supportingActions, createdAt: createdAt)
    }

    /// A ``UserProfile``: every field may be missing.
    mutating func profile() throws(Declined) -> UserProfile {
        var profile = UserProfile()
        var seen = SeenKeys()
        guard try beginObject() else { return profile }
        repeat {
            switch try modelKey() {
            case "attributes":
                try seen.insert(0)
                if try !consumeNull() { profile.attributes = try jsonObject() }
            case "goals":
                try seen.insert(1)
                if try !consumeNull() { profile.goals = try strings() }
            case "locale": try seen.insert(2); profile.locale = try consumeNull() ? nil : string()
            case "preferredName": try seen.insert(3); profile.preferredName = try consumeNull() ? nil : string()
            case "timeZone": try seen.insert(4); profile.timeZone = try consumeNull() ? nil : string()
            case "values":
                try seen.insert(5)
                if try !consumeNull() { profile.values = try strings() }
            default: try skipValue()
            }
        } while try endOfMember()
        return profile
    }

    private mutating func strings() throws(Declined) -> [String] {
        try array { r throws(Declined) in try r.string() }
    }

    /// A `MillisecondDate`: the exact ISO form `Timestamp` writes, or whole milliseconds.
    mutating func timestamp() throws(Declined) -> Date {
        let milliseconds: Int64
        if try significantByte() == UInt8(ascii: "\"") {
            // Text with escapes declines here; JSONDecoder would unescape it first.
            guard let parsed = Timestamp.milliseconds(utf8: try plainStringBytes()) else { throw Declined() }
            milliseconds = parsed
        } else {
            milliseconds = try integer()
        }
        return Timestamp.date(milliseconds: milliseconds)
    }

    // MARK: JSON values

    /// A ``JSONValue``. Each kind of JSON value meets exactly one branch of its `Decodable`
    /// initializer (null, bool, number as `Double`, string, array, object), so the value's first
    /// byte decides.
    mutating func jsonValue() throws(Declined) -> JSONValue {
        switch try significantByte() {
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "{"): return .object(try jsonObject())
        case UInt8(ascii: "["): return .array(try array { r throws(Declined) in try r.jsonValue() })
        case UInt8(ascii: "t"), UInt8(ascii: "f"): return .bool(try bool())
        case UInt8(ascii: "n"):
            _ = try consumeNull()
            return .null
        default: return .number(try double())
        }
    }

    /// `[String: JSONValue]`, with any keys. Two keys that are equal as Swift strings (the same
    /// bytes, or canonically equivalent ones such as NFC and NFD) decline: JSONDecoder keeps the
    /// first, and the store never writes both.
    mutating func jsonObject() throws(Declined) -> [String: JSONValue] {
        var result: [String: JSONValue] = [:]
        guard try beginObject() else { return result }
        repeat {
            let key = try string()
            try consume(UInt8(ascii: ":"))
            guard result.updateValue(try jsonValue(), forKey: key) == nil else { throw Declined() }
        } while try endOfMember()
        return result
    }
}
