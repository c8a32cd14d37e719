import DocSnippets
import Foundation

// `swift run doc-snippets`: rewrites the generated files of Tests/DocSnippetTests from the
// ```swift blocks of README.md and the DocC articles. It builds without the test targets, so it
// runs even while a broken snippet keeps the tests from compiling.

let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
do {
    let snippets = try DocSnippet.all(inPackage: packageRoot)
    let problems = GeneratedSnippetFile.staleness(
        committed: try GeneratedSnippetFile.committedFiles(inPackage: packageRoot), snippets: snippets)
    if problems.isEmpty {
        print("\(GeneratedSnippetFile.folder) is up to date (\(snippets.count) snippets).")
    } else {
        for problem in problems { print("updating: " + problem.prefix { $0 != ":" }) }
        try GeneratedSnippetFile.write(GeneratedSnippetFile.render(snippets), inPackage: packageRoot)
        print("Wrote \(GeneratedSnippetFile.folder) (\(snippets.count) snippets); build the tests to compile them.")
    }
} catch {
    FileHandle.standardError.write(Data("doc-snippets: \(error)\n".utf8))
    exit(1)
}
