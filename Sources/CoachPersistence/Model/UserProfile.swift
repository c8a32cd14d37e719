/// What the coach knows about the person it coaches.
public struct UserProfile: Codable, Hashable, Sendable {
    /// The name the user wants to be called by.
    public var preferredName: String?
    /// The user's IANA time zone (`Europe/Paris`), for scheduling check-ins.
    public var timeZone: String?
    /// The user's preferred language as a BCP 47 tag (`fr-CA`).
    public var locale: String?
    /// What the user wants out of coaching, in their own words.
    public var goals: [String]
    /// What the user cares about most (health, family, craft…), discovered during coaching.
    public var values: [String]
    /// Anything else the app wants to keep about the user.
    public var attributes: [String: JSONValue]

    /// Creates a profile; every field defaults to empty.
    public init(
        preferredName: String? = nil, timeZone: String? = nil, locale: String? = nil,
        goals: [String] = [], values: [String] = [], attributes: [String: JSONValue] = [:]
    ) {
        self.preferredName = preferredName
        self.timeZone = timeZone
        self.locale = locale
        self.goals = goals
        self.values = values
        self.attributes = attributes
    }

    private enum CodingKeys: String, CodingKey {
        case preferredName, timeZone, locale, goals, values, attributes
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        preferredName = try c.decodeIfPresent(String.self, forKey: .preferredName)
        timeZone = try c.decodeIfPresent(String.self, forKey: .timeZone)
        locale = try c.decodeIfPresent(String.self, forKey: .locale)
        goals = try c.decodeIfPresent([String].self, forKey: .goals) ?? []
        values = try c.decodeIfPresent([String].self, forKey: .values) ?? []
        attributes = try c.decodeIfPresent([String: JSONValue].self, forKey: .attributes) ?? [:]
    }
}
