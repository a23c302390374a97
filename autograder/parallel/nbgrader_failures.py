"""Why nbgrader could not autograde a submission, in one line, from its captured log and error."""


def nbgrader_failure_reason(result):
    """A one-line reason from a failed ``NbGraderAPI`` call (its captured log and error)."""
    text = "\n".join(filter(None, [result.get("log", ""), result.get("error", "")]))
    for line in text.splitlines():  # the kernel's bootstrap said why it would not start the kernel
        if "KernelStartRefused: " in line:
            return "zero: " + line.split("KernelStartRefused: ", 1)[1].strip()[:300]
    known = [("DeadKernelError", "the kernel died while running the notebook"),
             ("Kernel died", "the kernel died while running the notebook"),
             ("CellTimeoutError", "a cell ran past the per-cell timeout"),
             ("UnresponsiveKernelError", "the kernel stopped responding")]
    for needle, reason in known:
        if needle in text:
            return reason
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    errors = [line for line in lines if "Error" in line.split(":")[0] or "Exception" in line.split(":")[0]]
    return "nbgrader could not autograde the submission: {}".format((errors or lines or ["no log"])[-1][:300])
