import Foundation

/// Runs a program to completion and returns its standard output; a non-zero exit is an error
/// carrying its standard error.
func runProgram(_ executable: String, _ arguments: [String], environment: [String: String]? = nil) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let output = Pipe()
    let errors = Pipe()
    process.standardOutput = output
    process.standardError = errors
    try process.run()
    // Drain stderr on its own thread so a chatty child cannot fill the pipe and stall.
    let errorText = UnsafeTransfer(errors.fileHandleForReading)
    let errorBox = FailureList()
    let drained = DispatchSemaphore(value: 0)
    Thread.detachNewThread {
        errorBox.add(String(decoding: errorText.value.readDataToEndOfFile(), as: UTF8.self))
        drained.signal()
    }
    let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    drained.wait()
    guard process.terminationStatus == 0 else {
        throw BenchError("\(executable) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus): \(errorBox.first ?? "")")
    }
    return text
}

/// The path of this executable, for re-running it as a child.
func currentExecutable() throws -> String {
    try FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")
}
