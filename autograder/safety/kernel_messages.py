"""Talking to a kernel outside the notebook's cells: hidden requests, replies, readiness, draining.

:class:`KernelMessages` is mixed into :class:`autograder.safety.guarded_execute.GuardedExecute`
(an nbclient ``NotebookClient``): it uses the client's ``kc``/``km`` (the student kernel), ``log``
and the notebook's output count ``_notebook_bytes``. Nothing here waits for a fixed interval:
every wait ends on a reply, a message or the kernel's death.
"""

import json
import time

from nbclient.exceptions import DeadKernelError
from nbclient.util import run_sync


def message_size(message):
    """Approximate size in bytes of a kernel message (its content and binary buffers)."""
    content = message.get("content", {})
    try:
        size = len(json.dumps(content, default=str))
    except (TypeError, ValueError):
        size = len(str(content))
    return size + sum(len(buffer) for buffer in message.get("buffers", []) or [])


class KernelMessages:
    """Hidden requests to a kernel and waiting for its replies (a mixin of ``GuardedExecute``)."""

    async def _until_ready(self, kc, timeout):
        """The kernel's ``kernel_info_reply`` once both its shell and IOPub channels answer (RuntimeError if
        it dies or does not answer in ``timeout`` s)."""
        deadline = time.monotonic() + timeout
        while True:
            message_id = kc.kernel_info()
            reply = await self._shell_reply(kc, message_id, min(1.0, max(0.0, deadline - time.monotonic())))
            if reply is not None and await self._until_iopub(kc, 0.2, ask=False):
                return reply
            if not await kc.is_alive():
                raise RuntimeError("Kernel died before replying to kernel_info")
            if time.monotonic() > deadline:
                raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")

    async def _shell_reply(self, kc, message_id, timeout):
        """The shell reply to ``message_id`` within ``timeout`` s (other replies skipped), or None."""
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            try:
                message = await kc.shell_channel.get_msg(timeout=left)
            except Exception:  # noqa: BLE001 -- queue.Empty from the async client
                return None
            if message.get("parent_header", {}).get("msg_id") == message_id:
                return message

    async def _until_iopub(self, kc, timeout, ask=True):
        """True once a message arrives on the kernel's IOPub channel (so its subscription is connected);
        with ``ask``, a ``kernel_info`` request every 0.2 s makes the kernel publish one."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                await kc.iopub_channel.get_msg(timeout=min(0.2, max(0.01, deadline - time.monotonic())))
                return True
            except Exception:  # noqa: BLE001 -- queue.Empty: nothing yet
                if time.monotonic() >= deadline or not await kc.is_alive():
                    return False
                if ask:
                    kc.kernel_info()

    @staticmethod
    def _send_hidden(kc, code):
        """Send ``code`` to a kernel without a notebook cell and without waiting; its message id."""
        return kc.execute(code, silent=True, store_history=False, allow_stdin=False, stop_on_error=False)

    def _run_hidden(self, code, kc=None, timeout=60):
        """Run ``code`` in a kernel without a notebook cell; ``(ok, error text)``."""
        kc = kc or self.kc
        try:
            message_id = self._send_hidden(kc, code)
        except RuntimeError as error:
            return False, str(error)
        reply = self._wait_reply(kc, message_id, timeout)
        if reply is None:
            return False, "no answer"
        content = reply["content"]
        if content.get("status") == "ok":
            return True, None
        return False, f"{content.get('ename', 'Error')}: {content.get('evalue', '')}"[:500]

    def _wait_reply(self, kc, message_id, timeout):
        """The shell reply to ``message_id`` from ``kc`` (other replies are skipped), or None."""
        deadline = time.monotonic() + timeout

        async def wait():
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return None
                try:
                    message = await kc.shell_channel.get_msg(timeout=min(left, 1.0))
                except Exception:  # noqa: BLE001 -- queue.Empty from the async client
                    if not await kc.is_alive():
                        return None
                    continue
                if message.get("parent_header", {}).get("msg_id") == message_id:
                    return message
        try:
            return run_sync(wait)()
        except (DeadKernelError, RuntimeError):
            return None

    def _drain(self, kc, served_id=None):
        """Discard the student kernel's messages sent while it served a test (they count as output).

        With ``served_id`` (the serve request answered), the kernel's "idle" status for it is its last
        message: wait for that, then take what is already queued. Otherwise wait until the channel has
        been quiet for 50 ms. At most 2 s either way (nbclient skips what is left: it reads only the
        messages of the cell it runs)."""
        async def drain():
            quiet = 0.05 if served_id is None else 2.0
            deadline = time.monotonic() + 2.0
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    return
                try:
                    message = await kc.iopub_channel.get_msg(timeout=min(quiet, left))
                except Exception:  # noqa: BLE001 -- queue.Empty: nothing left
                    return
                self._notebook_bytes += message_size(message)
                if served_id is not None and message.get("msg_type") == "status" \
                        and message.get("content", {}).get("execution_state") == "idle" \
                        and message.get("parent_header", {}).get("msg_id") == served_id:
                    quiet = 0.001
        run_sync(drain)()

    def _interrupt_student(self):
        try:
            run_sync(self.km.interrupt_kernel)()
        except Exception as error:  # noqa: BLE001 -- a kernel that is gone cannot be interrupted
            self.log.warning("interrupting the kernel: %s", error)

    def _responsive(self):
        return self._run_hidden("pass", timeout=10)[0]

    def _stop_kernel(self):
        try:
            if self.km is not None:
                run_sync(self.km.shutdown_kernel)(now=True)
        except Exception as error:  # noqa: BLE001 -- a kernel that is already gone is fine
            self.log.warning("stopping the kernel: %s", error)
