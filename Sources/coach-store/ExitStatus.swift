/// How a command ends: the process's exit status.
enum ExitStatus: Int32 {
    /// It did what was asked.
    case ok = 0
    /// A check found problems, or the command failed (the reason is on standard error).
    case problems = 1
    /// The command line was wrong.
    case usage = 2
}
