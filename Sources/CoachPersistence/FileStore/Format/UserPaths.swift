/// The paths of one user's files.
struct UserPaths: Sendable {
    let layout: StoreLayout
    let folder: String

    var directory: String { layout.userDirectory(folder) }
    var snapshot: String { layout.snapshot(folder) }
    var journal: String { layout.journal(folder) }
    var tornTail: String { layout.tornTail(folder) }
    var snapshotTemporary: String { layout.temporary(for: snapshot) }
    var journalTemporary: String { layout.temporary(for: journal) }
}
