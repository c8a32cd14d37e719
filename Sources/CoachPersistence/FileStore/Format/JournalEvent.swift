/// One change to a context, as the journal records it.
///
/// On disk an event is `{"type": "<name>", "value": <payload>}`; the payload of each type is the
/// JSON of the value it carries (see the format page in the documentation).
enum JournalEvent: Equatable, Sendable {
    /// The whole context, as of this record: the first save of a user, or an import.
    case contextReplaced(CoachContext)
    /// Messages added at the end of the history.
    case messagesAppended([ChatMessage])
    /// The whole history, after an edit that changed its first message (or emptied it).
    case historyReplaced([ChatMessage])
    /// Only the first `count` messages of the history are kept (format version 2): with a
    /// `messagesAppended` after it, an edit whose first changed message is at index `count`
    /// (regenerate, undo the last turn, an edit near the end) costs what it changes.
    case historyTruncated(Int)
    /// A new coaching state.
    case stateChanged(CoachingState)
    /// A new consolidated summary, or none.
    case summaryChanged(String?)
    /// A new user profile.
    case profileChanged(UserProfile)
    /// The new list of identities.
    case identitiesChanged([Identity])
    /// Metadata keys set to new values.
    case metadataSet([String: JSONValue])
    /// Metadata keys removed.
    case metadataRemoved([String])

    /// The type name stored in the record.
    var typeName: String {
        switch self {
        case .contextReplaced: "contextReplaced"
        case .messagesAppended: "messagesAppended"
        case .historyReplaced: "historyReplaced"
        case .historyTruncated: "historyTruncated"
        case .stateChanged: "stateChanged"
        case .summaryChanged: "summaryChanged"
        case .profileChanged: "profileChanged"
        case .identitiesChanged: "identitiesChanged"
        case .metadataSet: "metadataSet"
        case .metadataRemoved: "metadataRemoved"
        }
    }

    /// Applies the event to `context`.
    func apply(to context: inout CoachContext) {
        switch self {
        case .contextReplaced(let replacement): context = replacement
        case .messagesAppended(let messages): context.conversationHistory.append(contentsOf: messages)
        case .historyReplaced(let messages): context.conversationHistory = messages
        case .historyTruncated(let count):
            // A count at or past the end keeps everything: never written, but a record is data.
            if count < context.conversationHistory.count { context.conversationHistory.removeSubrange(count...) }
        case .stateChanged(let state): context.currentState = state
        case .summaryChanged(let summary): context.consolidatedSummary = summary
        case .profileChanged(let profile): context.userProfile = profile
        case .identitiesChanged(let identities): context.identities = identities
        case .metadataSet(let values): context.metadata.merge(values) { _, new in new }
        case .metadataRemoved(let keys): for key in keys { context.metadata[key] = nil }
        }
    }
}

extension JournalEvent: Codable {
    private enum CodingKeys: String, CodingKey { case type, value }

    init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let type = try c.decode(String.self, forKey: .type)
        switch type {
        case "contextReplaced": self = .contextReplaced(try c.decode(CoachContext.self, forKey: .value))
        case "messagesAppended": self = .messagesAppended(try c.decode([ChatMessage].self, forKey: .value))
        case "historyReplaced": self = .historyReplaced(try c.decode([ChatMessage].self, forKey: .value))
        case "historyTruncated":
            let count = try c.decode(Int.self, forKey: .value)
            guard count >= 0 else {
                throw DecodingError.dataCorruptedError(forKey: .value, in: c, debugDescription: "a message count cannot be negative (\(count))")
            }
            self = .historyTruncated(count)
        case "stateChanged": self = .stateChanged(try c.decode(CoachingState.self, forKey: .value))
        case "summaryChanged": self = .summaryChanged(try c.decodeIfPresent(String.self, forKey: .value))
        case "profileChanged": self = .profileChanged(try c.decode(UserProfile.self, forKey: .value))
        case "identitiesChanged": self = .identitiesChanged(try c.decode([Identity].self, forKey: .value))
        case "metadataSet": self = .metadataSet(try c.decode([String: JSONValue].self, forKey: .value))
        case "metadataRemoved": self = .metadataRemoved(try c.decode([String].self, forKey: .value))
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .type, in: c, debugDescription: "unknown event type '\(type)' (written by a newer version?)")
        }
    }

    func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(typeName, forKey: .type)
        switch self {
        case .contextReplaced(let value): try c.encode(value, forKey: .value)
        case .messagesAppended(let value), .historyReplaced(let value): try c.encode(value, forKey: .value)
        case .historyTruncated(let count): try c.encode(count, forKey: .value)
        case .stateChanged(let value): try c.encode(value, forKey: .value)
        case .summaryChanged(let value):
            if let value { try c.encode(value, forKey: .value) } else { try c.encodeNil(forKey: .value) }
        case .profileChanged(let value): try c.encode(value, forKey: .value)
        case .identitiesChanged(let value): try c.encode(value, forKey: .value)
        case .metadataSet(let value): try c.encode(value, forKey: .value)
        case .metadataRemoved(let value): try c.encode(value, forKey: .value)
        }
    }
}
