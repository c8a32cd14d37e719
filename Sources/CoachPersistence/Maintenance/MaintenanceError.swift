/// What can go wrong in the maintenance API (``StoreInspector``, ``StoreRepair``,
/// ``ContextArchive``) beyond a ``StateStoreError``. ``description`` reads as one sentence.
public enum MaintenanceError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The store has no data for the user.
    case noSuchUser(userID: String, directory: String)
    /// The user's files are damaged in a way cutting the journal back cannot fix.
    case notRepairable(userID: String, reason: String)
    /// Bytes given to ``ContextArchive/decode(_:)`` are not an export.
    case notAnExport(reason: String)

    /// The error as one sentence a person can act on.
    public var description: String {
        switch self {
        case .noSuchUser(let userID, let directory):
            return "The store at \(directory) has no user '\(userID)'."
        case .notRepairable(let userID, let reason):
            return "The files of user '\(userID)' cannot be repaired by cutting the journal back: \(reason)."
        case .notAnExport(let reason):
            return "The input is not a coach-store export: \(reason)."
        }
    }
}
