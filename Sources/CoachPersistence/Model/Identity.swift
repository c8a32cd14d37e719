import Foundation

/// An identity the user explores with the coach: "I am someone who runs", and how committed they are.
public struct Identity: Codable, Hashable, Sendable {
    /// How far the user has taken an identity. String-backed so newer statuses round-trip.
    public struct Status: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral {
        /// The status's stable name, as stored on disk.
        public var rawValue: String
        /// Wraps any name; unknown names are kept as they are.
        public init(rawValue: String) { self.rawValue = rawValue }
        /// Wraps a literal name.
        public init(stringLiteral value: String) { self.rawValue = value }

        /// Brainstormed, not yet chosen.
        public static let exploring = Status(rawValue: "exploring")
        /// Chosen: the user is working towards it.
        public static let committed = Status(rawValue: "committed")
        /// Lived: the user sees themselves this way now.
        public static let embodied = Status(rawValue: "embodied")
        /// Set aside by the user.
        public static let archived = Status(rawValue: "archived")
    }

    /// A stable id the app chooses, unique within one user's identities.
    public var id: String
    /// The identity in the user's words ("a person who moves every day").
    public var statement: String
    /// Where the user is with it.
    public var status: Status
    /// Small concrete actions that prove the identity ("walk 10 minutes after lunch").
    public var supportingActions: [String]
    /// When the identity was first named, rounded to the millisecond like every model date.
    public var createdAt: Date {
        didSet {
            let normalized = Timestamp.normalized(createdAt)
            if normalized != createdAt { createdAt = normalized }
        }
    }

    /// Creates an identity; `createdAt` defaults to now.
    public init(
        id: String, statement: String, status: Status = .exploring,
        supportingActions: [String] = [], createdAt: Date = Date()
    ) {
        self.id = id
        self.statement = statement
        self.status = status
        self.supportingActions = supportingActions
        self.createdAt = Timestamp.normalized(createdAt)
    }

    private enum CodingKeys: String, CodingKey { case id, statement, status, supportingActions, createdAt }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        statement = try c.decode(String.self, forKey: .statement)
        status = try c.decodeIfPresent(Status.self, forKey: .status) ?? .exploring
        supportingActions = try c.decodeIfPresent([String].self, forKey: .supportingActions) ?? []
        createdAt = try c.decode(MillisecondDate.self, forKey: .createdAt).date
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(statement, forKey: .statement)
        try c.encode(status, forKey: .status)
        try c.encode(supportingActions, forKey: .supportingActions)
        try c.encode(MillisecondDate(createdAt), forKey: .createdAt)
    }
}
