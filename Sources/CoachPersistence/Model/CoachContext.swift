/// Everything the coach keeps about one user: the unit a ``StateStore`` loads and saves.
public struct CoachContext: Codable, Hashable, Sendable {
    /// The user's id, chosen by the app. Any non-empty string.
    public var userID: String
    /// Where the user is in the coaching flow.
    public var currentState: CoachingState
    /// The conversation, oldest message first.
    public var conversationHistory: [ChatMessage]
    /// A summary of older conversation, kept when history is condensed.
    public var consolidatedSummary: String?
    /// What the coach knows about the user.
    public var userProfile: UserProfile
    /// The identities the user explores with the coach.
    public var identities: [Identity]
    /// Free-form data the app keeps with the context.
    public var metadata: [String: JSONValue]

    /// Creates a context for `userID`; every other field defaults to the start of coaching.
    public init(
        userID: String,
        currentState: CoachingState = .introduction,
        conversationHistory: [ChatMessage] = [],
        consolidatedSummary: String? = nil,
        userProfile: UserProfile = UserProfile(),
        identities: [Identity] = [],
        metadata: [String: JSONValue] = [:]
    ) {
        self.userID = userID
        self.currentState = currentState
        self.conversationHistory = conversationHistory
        self.consolidatedSummary = consolidatedSummary
        self.userProfile = userProfile
        self.identities = identities
        self.metadata = metadata
    }

    private enum CodingKeys: String, CodingKey {
        case userID, currentState, conversationHistory, consolidatedSummary, userProfile, identities, metadata
    }

    /// Decodes a context; every field but `userID` may be missing (hand-written JSON, older apps).
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        userID = try c.decode(String.self, forKey: .userID)
        currentState = try c.decodeIfPresent(CoachingState.self, forKey: .currentState) ?? .introduction
        conversationHistory = try c.decodeIfPresent([ChatMessage].self, forKey: .conversationHistory) ?? []
        consolidatedSummary = try c.decodeIfPresent(String.self, forKey: .consolidatedSummary)
        userProfile = try c.decodeIfPresent(UserProfile.self, forKey: .userProfile) ?? UserProfile()
        identities = try c.decodeIfPresent([Identity].self, forKey: .identities) ?? []
        metadata = try c.decodeIfPresent([String: JSONValue].self, forKey: .metadata) ?? [:]
    }
}
