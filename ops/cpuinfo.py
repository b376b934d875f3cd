"""The kernel's description of the CPU, read without TensorFlow (dcgan's precision and the ops'
probe cache both key on it)."""

CPUINFO = "/proc/cpuinfo"


def cpuinfo_line(name, cpuinfo=None):
    """The first line of /proc/cpuinfo (or `cpuinfo`) that starts with `name`; "" if none or no /proc."""
    try:
        with open(cpuinfo or CPUINFO) as f:
            return next((line for line in f if line.startswith(name)), "")
    except OSError:
        return ""
