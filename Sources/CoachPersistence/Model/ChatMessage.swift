import Foundation

/// One message of a coaching conversation.
///
/// `timestamp` is kept at whole milliseconds: it is rounded when set, so that a message encodes
/// and decodes to a value `==` to itself (see ``ChatMessage/timestamp``).
public struct ChatMessage: Codable, Hashable, Sendable {
    /// Who wrote a message. A string-backed struct so that roles added by newer apps round-trip.
    public struct Role: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
        CustomStringConvertible
    {
        /// The role's stable name, as stored on disk.
        public var rawValue: String
        /// Wraps any name; unknown names are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Wraps a literal name.
        public init(stringLiteral value: String) { self.rawValue = value }
        /// The role's name.
        public var description: String { rawValue }

        /// The person being coached.
        public static let user = Role(rawValue: "user")
        /// The AI coach.
        public static let assistant = Role(rawValue: "assistant")
        /// Instructions to the model, not shown to the user.
        public static let system = Role(rawValue: "system")
    }

    // Field order matters for speed: four word-aligned fields and no padding let the store
    // compare an unchanged history prefix with one `memcmp` (see `ContextDiff`).

    /// Who wrote the message.
    public var role: Role
    /// The message text, any Unicode.
    public var content: String
    /// When the message was written, rounded to the nearest millisecond whenever it is set.
    public var timestamp: Date {
        didSet {
            let normalized = Timestamp.normalized(timestamp)
            if normalized != timestamp { timestamp = normalized }
        }
    }
    /// Free-form data about the message (a model name, token counts, a client message id).
    public var metadata: [String: JSONValue]

    /// Creates a message; `timestamp` defaults to now and is rounded to the millisecond.
    public init(role: Role, content: String, timestamp: Date = Date(), metadata: [String: JSONValue] = [:]) {
        self.role = role
        self.content = content
        self.timestamp = Timestamp.normalized(timestamp)
        self.metadata = metadata
    }

    private enum CodingKeys: String, CodingKey { case role, content, timestamp, metadata }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        role = try c.decode(Role.self, forKey: .role)
        content = try c.decode(String.self, forKey: .content)
        timestamp = try c.decode(MillisecondDate.self, forKey: .timestamp).date
        metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(role, forKey: .role)
        try c.encode(content, forKey: .content)
        try c.encode(MillisecondDate(timestamp), forKey: .timestamp)
        if !metadata.isEmpty { try c.encode(metadata, forKey: .metadata) }
    }
}
