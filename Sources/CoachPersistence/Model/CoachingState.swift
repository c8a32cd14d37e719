/// Where a user is in the coaching flow.
///
/// A string-backed struct rather than an enum so that a state written by a newer version of an
/// app loads, round-trips and saves unchanged in an older one. It is stored as its bare string
/// (the standard library's `Codable` for `RawRepresentable` types).
public struct CoachingState: RawRepresentable, Codable, Hashable, Sendable, ExpressibleByStringLiteral,
    CustomStringConvertible
{
    /// The state's stable name, as stored on disk.
    public var rawValue: String

    /// Wraps any name; unknown names are kept as they are.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// Wraps a literal name.
    public init(stringLiteral value: String) { self.rawValue = value }

    /// The state's name.
    public var description: String { rawValue }

    /// First contact: the coach explains itself and learns the user's name and situation.
    public static let introduction = CoachingState(rawValue: "introduction")
    /// Discovering what the user values and what they want to change.
    public static let valuesDiscovery = CoachingState(rawValue: "valuesDiscovery")
    /// Brainstorming identities the user could grow into ("a person who runs").
    public static let identityBrainstorming = CoachingState(rawValue: "identityBrainstorming")
    /// Narrowing the brainstormed identities to the ones the user commits to.
    public static let identityRefinement = CoachingState(rawValue: "identityRefinement")
    /// Turning a chosen identity into small, concrete actions.
    public static let actionPlanning = CoachingState(rawValue: "actionPlanning")
    /// Day-to-day practice of the planned actions, with regular check-ins.
    public static let habitBuilding = CoachingState(rawValue: "habitBuilding")
    /// Looking back on progress and adjusting identities or actions.
    public static let reflection = CoachingState(rawValue: "reflection")
    /// The coaching programme is finished; the user may start again.
    public static let completed = CoachingState(rawValue: "completed")

    /// The states above, in the order the flow usually visits them.
    public static let standardFlow: [CoachingState] = [
        .introduction, .valuesDiscovery, .identityBrainstorming, .identityRefinement,
        .actionPlanning, .habitBuilding, .reflection, .completed,
    ]
}
