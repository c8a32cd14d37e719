import CoachPersistence
import CoachTestSupport
import DocSnippets
import Foundation
import Testing

/// The package's root folder, found from this file's path.
private let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

@Suite("Docs whose code compiles")
struct DocSnippetTests {
    @Test("the generated files hold every ```swift block of the docs as they are now")
    func generatedFileIsUpToDate() throws {
        let snippets = try DocSnippet.all(inPackage: packageRoot)
        let committed = try GeneratedSnippetFile.committedFiles(inPackage: packageRoot)
        let problems = GeneratedSnippetFile.staleness(committed: committed, snippets: snippets)
        // One issue per stale block, so that no output line grows with the number of blocks.
        for problem in problems.prefix(5) { Issue.record(Comment(rawValue: problem)) }
        if problems.count > 5 { Issue.record("… and \(problems.count - 5) more blocks") }
    }

    @Test(
        "the first example of the README and of Getting Started runs as written, in a temporary folder instead of /var/lib/coach",
        arguments: ["README.md", "Sources/CoachPersistence/CoachPersistence.docc/GettingStarted.md"])
    func firstExampleRuns(file: String) async throws {
        let folder = TemporaryDirectory("doc-snippet")
        defer { folder.remove() }
        let givens = try DocSnippetGivens(inside: folder.url)
        let first = try #require(docSnippets.first { $0.file == file })
        try await DocSnippetGivens.$current.withValue(givens) { try await first.run() }

        // The example saved a conversation into the folder that stands for /var/lib/coach.
        let storeFolder = URL(fileURLWithPath: givens.path("/var/lib/coach"))
        let store = try FileStateStore(directory: storeFolder, options: .init(readOnly: true))
        let user = try #require(try await store.userIDs().first)
        let context = try #require(try await store.loadContext(userID: user))
        #expect(!context.conversationHistory.isEmpty)
    }

    @Test("Getting Started's If-Match example saves the edited form when nobody saved since the load")
    func ifMatchExampleRuns() async throws {
        let folder = TemporaryDirectory("doc-snippet")
        defer { folder.remove() }
        let givens = try DocSnippetGivens(inside: folder.url)
        try await givens.store.saveContext(CoachContext(userID: "user-123"))
        let example = try #require(try runner(in: "GettingStarted.md") { $0.contains { $0.contains("ifRevision:") } })
        try await DocSnippetGivens.$current.withValue(givens) { try await example.run() }
        #expect(try await givens.store.loadContext(userID: "user-123")?.userProfile.preferredName == "Sam")
    }

    /// The runner of the first block of the Markdown file ending in `file` whose code satisfies
    /// `matches`: found by content, so that the test follows the block when the docs move it.
    private func runner(in file: String, where matches: ([String]) -> Bool) throws -> DocSnippetRunner? {
        let snippet = try DocSnippet.all(inPackage: packageRoot).first { $0.file.hasSuffix(file) && matches($0.code) }
        return docSnippets.first { $0.file == snippet?.file && $0.ordinal == snippet?.ordinal }
    }
}

@Suite("Doc snippet extraction")
struct DocSnippetExtractionTests {
    @Test("only ```swift fences count, however they are indented, nested or fenced")
    func swiftBlocksOnly() {
        let markdown = """
            # Title
            ```swift
            let a = 1
            ```
            ```text
            let not = "swift"
            ```
              ```swift
              let b = 2
                let c = 3
              ```
            ~~~~swift title
            let d = ```
            ~~~~
            ````markdown
            ```swift
            let shown = "as text"
            ```
            ````
            - A list
                - with a nested item:

                  ```Swift
                  let nested = 6
                  ```
            ```swift
            let e = 5
            """
        let snippets = DocSnippet.all(inMarkdown: markdown, file: "X.md")
        #expect(snippets.map(\.code) == [["let a = 1"], ["let b = 2", "  let c = 3"], ["let d = ```"], ["let nested = 6"], ["let e = 5"]])
        #expect(snippets.map(\.line) == [2, 8, 12, 23, 26])
        #expect(snippets.map(\.ordinal) == [1, 2, 3, 4, 5])
        #expect(snippets[1].location == "X.md, swift block 2 (line 8)")
    }

    @Test("README.md and every Markdown file of every DocC catalog are read, articles added later included")
    func documentationFiles() throws {
        let folder = TemporaryDirectory("doc-files")
        defer { folder.remove() }
        let files = [
            "README.md", "Sources/Lib/Lib.docc/Zeta.md", "Sources/Lib/Lib.docc/Articles/New.md",
            "Sources/Lib/NotDocs.md", "Sources/Other/Other.docc/Alpha.md", "Tests/Some.md",
        ]
        for file in files {
            let url = folder.url.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data("```swift\nlet x = 1\n```\n".utf8).write(to: url)
        }
        #expect(
            try DocSnippet.documentationFiles(inPackage: folder.url) == [
                "README.md", "Sources/Lib/Lib.docc/Articles/New.md", "Sources/Lib/Lib.docc/Zeta.md",
                "Sources/Other/Other.docc/Alpha.md",
            ])
        #expect(try DocSnippet.all(inPackage: folder.url).count == 4)
        // The real catalog is found too.
        #expect(try DocSnippet.documentationFiles(inPackage: packageRoot).contains(
            "Sources/CoachPersistence/CoachPersistence.docc/GettingStarted.md"))
    }

    @Test("a block that declares an extension or a protocol goes to file scope; anything else into a function")
    func scope() {
        func snippet(_ code: String) -> DocSnippet { DocSnippet(file: "X.md", ordinal: 1, line: 1, code: code.components(separatedBy: "\n")) }
        #expect(snippet("let store = InMemoryStateStore()").scope == .function)
        #expect(snippet("struct Handler {\n    let store: any StateStore\n}\nfunc f() {}").scope == .function)
        #expect(snippet("import CoachPersistence\n\nextension CoachContext {\n    var isNew: Bool { true }\n}").scope == .file)
        #expect(snippet("protocol P {}").scope == .file)
        #expect(snippet("public func handle() {}").scope == .file)
    }

    @Test("top-level constants and imports are found")
    func names() {
        let code = ["import CoachPersistence", "@testable import Foundation", "import struct Dispatch.DispatchTime", "let store = 1", "var (a, _, b) = (1, 2, 3)",
                    "    let inner = 2", "let typed: Int = 3", "letter()"]
        let snippet = DocSnippet(file: "X.md", ordinal: 1, line: 1, code: code)
        #expect(snippet.imports == ["CoachPersistence", "Foundation", "Dispatch"])
        #expect(snippet.importLines == ["import CoachPersistence", "import Foundation", "import struct Dispatch.DispatchTime"])
        #expect(snippet.topLevelNames == ["store", "a", "b", "typed"])
        #expect(snippet.codeWithoutImports == ["", "", "", "let store = 1", "var (a, _, b) = (1, 2, 3)", "    let inner = 2", "let typed: Int = 3", "letter()"])
    }
}

@Suite("Doc snippet staleness")
struct DocSnippetStalenessTests {
    private func snippets() throws -> [DocSnippet] { try DocSnippet.all(inPackage: packageRoot) }

    @Test("a changed block is named, with its file, line and the command that regenerates")
    func changedBlock() throws {
        let snippets = try snippets()
        let generated = GeneratedSnippetFile.render(snippets)
        var edited = snippets
        let index = try #require(edited.firstIndex { $0.file == "README.md" })
        edited[index].code.append("print(\"one more line\")")
        let problems = GeneratedSnippetFile.staleness(committed: generated, snippets: edited)
        #expect(problems == [
            "\(edited[index].location) changed, or is new, since Tests/DocSnippetTests was generated: "
                + "run `swift run doc-snippets` and commit Tests/DocSnippetTests."
        ])
    }

    @Test("a complete example whose imports change is named")
    func changedImports() throws {
        let snippets = try snippets()
        let generated = GeneratedSnippetFile.render(snippets)
        var edited = snippets
        let index = try #require(edited.firstIndex { !$0.imports.isEmpty })
        // Another import on the same line: the code's lines stay as they were, only the imports change.
        edited[index].code = edited[index].code.map { $0 == "import Foundation" ? "import Dispatch" : $0 }
        let problems = GeneratedSnippetFile.staleness(committed: generated, snippets: edited)
        #expect(problems.map { $0.prefix { $0 != ":" } } == ["\(edited[index].location) changed, or is new, since Tests/DocSnippetTests was generated"])
    }

    @Test("added and removed blocks are reported, and every block when the files are missing")
    func addedAndRemoved() throws {
        let snippets = try snippets()
        let generated = GeneratedSnippetFile.render(snippets)
        let added = snippets + [DocSnippet(file: "Sources/X.docc/New.md", ordinal: 1, line: 3, code: ["let x = 1"])]
        #expect(GeneratedSnippetFile.staleness(committed: generated, snippets: added).first?.hasPrefix("Sources/X.docc/New.md, swift block 1 (line 3) changed, or is new") == true)
        let removed = GeneratedSnippetFile.staleness(committed: GeneratedSnippetFile.render(added), snippets: snippets)
        #expect(removed.first?.hasPrefix("Sources/X.docc/New.md, swift block 1 is no longer in the docs") == true)
        #expect(GeneratedSnippetFile.staleness(committed: [:], snippets: snippets).count == snippets.count)
    }

    @Test("prose edits that only move a block do not make the file stale")
    func movedBlock() throws {
        let snippets = try snippets()
        let generated = GeneratedSnippetFile.render(snippets)
        let moved = snippets.map { snippet in
            var snippet = snippet
            snippet.line += 7
            return snippet
        }
        #expect(GeneratedSnippetFile.staleness(committed: generated, snippets: moved).isEmpty)
    }

    @Test("a block importing a module that Linux lacks is compiled only where the module exists")
    func platformModules() {
        let view = DocSnippet(
            file: "Sources/X.docc/iOS.md", ordinal: 2, line: 9,
            code: ["import CoachPersistence", "import SwiftUI", "", "let text = Text(\"hello\")"])
        let files = GeneratedSnippetFile.render([view])
        let own = files["Snippet_iOS_2.generated.swift"] ?? ""
        let shared = files["Snippets.generated.swift"] ?? ""
        let guarded = own.contains("#if canImport(SwiftUI)\nimport CoachPersistence\nimport SwiftUI\n") && own.hasSuffix("}\n#endif\n")
        let registeredWhereItExists = shared.contains(
            "    #if canImport(SwiftUI)\n    all.append(DocSnippetRunner(file: \"Sources/X.docc/iOS.md\", ordinal: 2, run: Snippet_iOS_2.run))\n    #endif\n")
        #expect(guarded)
        #expect(registeredWhereItExists)
    }

    @Test("compile errors are reported at the block's line of the Markdown file")
    func sourceLocation() {
        let fragment = DocSnippet(file: "Sources/X.docc/A.md", ordinal: 1, line: 40, code: ["let x = 1"])
        let example = DocSnippet(file: "README.md", ordinal: 1, line: 26, code: ["import CoachPersistence", "let y = 2"])
        let files = GeneratedSnippetFile.render([fragment, example])
        let shared = files["Snippets.generated.swift"] ?? ""
        let own = files["Snippet_README_1.generated.swift"] ?? ""
        // Booleans, so that a failure does not print whole files.
        let fragmentAtLine41 = shared.contains("#sourceLocation(file: \"Sources/X.docc/A.md\", line: 41)\nlet x = 1\n#sourceLocation()\n")
        let exampleAtLine27 = own.contains("#sourceLocation(file: \"README.md\", line: 27)\n\nlet y = 2\n#sourceLocation()\n")
        let onlyItsOwnImports = own.contains("\nimport CoachPersistence\n") && !own.contains("import Foundation")
        #expect(fragmentAtLine41)
        #expect(exampleAtLine27)
        #expect(onlyItsOwnImports)
    }
}

@Suite("Doc snippet paths")
struct DocSnippetPathTests {
    @Test("absolute path literals of URL(fileURLWithPath:) go through docSnippetPath, and URL stays")
    func redirect() {
        #expect(
            GeneratedSnippetFile.redirectingAbsolutePaths(#"let a = URL(fileURLWithPath: "/var/lib/coach"), b = URL(fileURLWithPath: "/tmp/x")"#)
                == #"let a = URL(fileURLWithPath: docSnippetPath("/var/lib/coach")), b = URL(fileURLWithPath: docSnippetPath("/tmp/x"))"#)
        #expect(GeneratedSnippetFile.redirectingAbsolutePaths(#"URL(fileURLWithPath: "relative")"#) == #"URL(fileURLWithPath: "relative")"#)
        #expect(GeneratedSnippetFile.redirectingAbsolutePaths(#"URL(fileURLWithPath: "/open"#) == #"URL(fileURLWithPath: "/open"#)
    }
}
