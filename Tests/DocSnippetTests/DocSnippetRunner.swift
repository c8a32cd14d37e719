import CoachPersistence
import Foundation

/// The names a fragment may use without declaring them (see `GeneratedSnippetFile.givens`), and
/// where a snippet's absolute paths go, for the snippets a test runs.
struct DocSnippetGivens: Sendable {
    /// The store of the example before, as in "watch a context of the `store`".
    var store: any StateStore
    /// A store's directory, as in "open the store at `directory`".
    var directory: URL
    /// A folder to write a store into.
    var root: URL
    /// A second store, to import into (``ContextArchive/save(_:to:)`` takes a file store).
    var otherStore: FileStateStore
    /// The folder that stands for `/` in a snippet's absolute paths.
    var folder: URL

    /// Everything inside `folder`.
    init(inside folder: URL) throws {
        self.folder = folder
        store = InMemoryStateStore()
        directory = folder.appendingPathComponent("directory", isDirectory: true)
        root = folder.appendingPathComponent("root", isDirectory: true)
        otherStore = try FileStateStore(directory: folder.appendingPathComponent("other-store", isDirectory: true))
    }

    /// What an absolute path `/a/b` of a snippet stands for: `folder/a/b`.
    func path(_ absolute: String) -> String {
        folder.appendingPathComponent(String(absolute.drop { $0 == "/" })).path
    }

    /// The givens of the snippet that runs now.
    @TaskLocal static var current: DocSnippetGivens?

    /// `current`, which a test sets before it runs a snippet.
    static func required() throws -> DocSnippetGivens {
        guard let current else { throw NotRunByATest() }
        return current
    }

    /// A snippet was run outside `DocSnippetGivens.$current.withValue(_:)`.
    struct NotRunByATest: Error {}
}

/// A snippet's absolute path when a test runs it: inside the test's folder, never the real path.
/// (Generated code calls it around every `URL(fileURLWithPath: "/…")` literal.)
func docSnippetPath(_ absolute: String) -> String {
    guard let givens = DocSnippetGivens.current else {
        preconditionFailure("a doc snippet ran outside DocSnippetGivens.$current.withValue(_:), with \(absolute)")
    }
    return givens.path(absolute)
}

/// A snippet of the docs that a test can run: one entry of the generated `docSnippets`.
struct DocSnippetRunner: Sendable {
    /// The Markdown file, relative to the package root.
    let file: String
    /// 1-based position among the file's Swift blocks.
    let ordinal: Int
    /// Runs the snippet's code; a test sets `DocSnippetGivens.current` first.
    let run: @Sendable () async throws -> Void
}
