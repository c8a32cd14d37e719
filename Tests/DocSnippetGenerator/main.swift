import DocSnippets
import Foundation

// `swift run doc-snippets`: rewrites the generated files of Tests/DocSnippetTests from the
// ```swift blocks of README.md and the DocC articles. It builds without the test targets, so it
// runs even while a broken snippet keeps the tests from compiling.

let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
do {
    let snippets = try DocSnippet.all(inPackage: packageRoot)
    let committed = try GeneratedSnippetFile.committedFiles(inPackage: packageRoot)
    let files = GeneratedSnippetFile.render(snippets)
    if committed == files {
        print("\(GeneratedSnippetFile.folder) is up to date (\(snippets.count) snippets).")
    } else {
        // Nothing stale but the files differ: only the Markdown line numbers moved.
        let problems = GeneratedSnippetFile.staleness(committed: committed, snippets: snippets)
        for problem in problems { print("updating: " + problem.prefix { $0 != ":" }) }
        if problems.isEmpty { print("updating: the Markdown line numbers of the diagnostics") }
        try GeneratedSnippetFile.write(files, inPackage: packageRoot)
        print("Wrote \(GeneratedSnippetFile.folder) (\(snippets.count) snippets); build the tests to compile them.")
    }
} catch {
    FileHandle.standardError.write(Data("doc-snippets: \(error)\n".utf8))
    exit(1)
}
