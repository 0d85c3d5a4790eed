"""The python3 kernel a pack's notebooks run in: started once, warmed up, reset between notebooks, closed.

Kept apart from running the notebooks (`bch.publish.execute`) because it is process handling: local
sockets in a folder that names this process (so a later run removes what a killed one left), a kernel
that can be killed from a signal handler, and requests sent without waiting so the caller can work
meanwhile.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import time
from pathlib import Path

from bch import paths
from bch.core.errors import BchError

KERNEL_FOLDER_PREFIX = "bch-kernel-"
KERNEL_START_TIMEOUT = 60


def remove_stale_kernel_folders() -> None:
    """Socket folders left by runs that were killed (their process is gone)."""
    import re
    import tempfile

    pattern = re.compile(rf"^{KERNEL_FOLDER_PREFIX}(\d+)-")
    for folder in Path(tempfile.gettempdir()).glob(f"{KERNEL_FOLDER_PREFIX}*"):
        match = pattern.match(folder.name)
        if match and not alive(int(match[1])):
            shutil.rmtree(folder, ignore_errors=True)


def alive(pid: int) -> bool:
    """Whether process `pid` still runs (this process counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True
    return True


_SAVE_COVERAGE = "import coverage as _c\n_m = _c.Coverage.current()\nif _m is not None:\n    _m.save()"


class SharedKernel:
    """One python3 kernel, started once, reused by every notebook of a pack."""

    def __init__(self, cwd: Path | None = None):
        import tempfile

        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync

        # An async manager, as nbclient expects: with a blocking one its output poll blocks the
        # event loop, and a kernel that dies mid-cell is never noticed.
        # Local sockets rather than TCP: nothing listens on a port, and ipykernel has nothing to warn of.
        # The folder names this process, so a later run can remove it if this one is killed.
        remove_stale_kernel_folders()
        self._sockets = tempfile.mkdtemp(prefix=f"{KERNEL_FOLDER_PREFIX}{os.getpid()}-")
        self.km = AsyncKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(self._sockets, "k"))
        env = {**os.environ, "MPLBACKEND": "agg", "PYDEVD_DISABLE_FILE_VALIDATION": "1"}
        # No IPython history: the count is reset between notebooks, and a history database then
        # prints "Session/line number was not unique" into the published notebooks.
        try:
            start = run_sync(self.km.start_kernel)
            start(cwd=str(cwd or paths.NOTEBOOKS), env=env, extra_arguments=["--HistoryManager.enabled=False"])
        except BaseException:
            # close() is never reached for a kernel that did not start: remove its key file and sockets here
            # (jupyter_client would only at garbage collection, which `bch.cli.run` skips at exit)
            self.km.cleanup_connection_file()
            shutil.rmtree(self._sockets, ignore_errors=True)
            raise

    def alive(self) -> bool:
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        return process is None or process.poll() is None

    def kill(self) -> None:
        """End the kernel process at once (from any thread): a waiting notebook then fails within seconds."""
        process = getattr(getattr(self.km, "provisioner", None), "process", None)
        if process is not None and process.poll() is None:
            process.kill()

    def send(self, code: str, first: bool = False):
        """Start running `code` without waiting; `wait` collects it. Lets the caller work meanwhile.

        Only the first call waits for the kernel to be ready (a 0.2 s poll); later requests on a
        running kernel are simply queued by zmq until the new client connects.
        """
        from jupyter_client.blocking import BlockingKernelClient

        # as KernelManager.client() builds one, but blocking: this thread waits on it directly
        client = BlockingKernelClient(**self.km.get_connection_info(session=True), parent=self.km)
        client.start_channels(iopub=False, stdin=False, hb=False, control=False)
        if first:
            client.wait_for_ready(timeout=KERNEL_START_TIMEOUT)
        # store_history=False: bch's own requests don't advance the notebooks' In [n] counter
        return client, client.execute(code, store_history=False)

    def wait(self, sent) -> None:
        client, msg_id = sent
        import queue as queues

        try:
            deadline = time.monotonic() + KERNEL_START_TIMEOUT
            while True:
                if not self.alive():
                    raise BchError("the kernel died while starting")
                if time.monotonic() > deadline:
                    raise BchError(f"the kernel did not answer within {KERNEL_START_TIMEOUT}s")
                try:
                    reply = client.get_shell_msg(timeout=0.5)  # short waits: a killed kernel is noticed
                except queues.Empty:
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    break
        finally:
            client.stop_channels()
        if reply["content"]["status"] != "ok":
            content = reply["content"]
            raise BchError(f"the kernel could not start the stack: {content.get('ename')}: {content.get('evalue')}")

    def run(self, code: str) -> None:
        """Run `code` in the kernel and wait for it. A fresh client each time: the notebook clients
        papermill attaches to this kernel leave earlier clients' channels unusable."""
        self.wait(self.send(code))

    def reset(self) -> None:
        """Forget the previous notebook's variables and start its count at In [1]; keep imported modules."""
        self.run("get_ipython().run_line_magic('reset', '-f'); get_ipython().execution_count = 1")

    def close(self) -> None:
        """Kill the kernel (a graceful shutdown costs up to seconds a pack need not wait). A kernel measured by
        coverage (`make coverage`: its subprocess patch sets COVERAGE_PROCESS_CONFIG) first saves its data."""
        from jupyter_core.utils import run_sync

        try:
            if self.km.has_kernel and os.environ.get("COVERAGE_PROCESS_CONFIG") and self.alive():
                with contextlib.suppress(BchError):  # a kernel that can't answer has nothing more to save
                    self.run(_SAVE_COVERAGE)
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
        finally:
            shutil.rmtree(self._sockets, ignore_errors=True)
