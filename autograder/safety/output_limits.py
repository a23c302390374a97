"""Bounded outputs: every message a kernel sends for a cell counts against a per-cell and a per-notebook budget.

Streams, displays, display updates and widget comm messages all count (their content and binary
buffers); past ``max_output_bytes`` in a cell or ``max_notebook_output_bytes`` in the notebook
(traits of :class:`autograder.safety.guarded_execute.GuardedExecute`) messages are dropped and the
cell gets one line saying so.
"""

from nbformat import NotebookNode

from autograder.safety.kernel_messages import message_size


class BoundedOutputs:
    """nbclient's ``process_message`` hook with output budgets (a mixin of ``GuardedExecute``)."""

    def process_message(self, msg, cell, cell_index):
        if msg.get("msg_type") in ("status", "execute_input"):
            return super().process_message(msg, cell, cell_index)
        size = message_size(msg)
        used = self._output_bytes.get(cell_index, 0) + size
        self._output_bytes[cell_index] = used
        self._notebook_bytes += size
        if used > self.max_output_bytes or self._notebook_bytes > self.max_notebook_output_bytes:
            if cell_index not in self._truncated:
                self._truncated.add(cell_index)
                limit = (f"{self.max_output_bytes} bytes in this cell" if used > self.max_output_bytes
                         else f"{self.max_notebook_output_bytes} bytes in this notebook")
                cell.outputs.append(NotebookNode(output_type="stream", name="stdout",
                                                 text=f"\n[output truncated by the grader after {limit}]\n"))
            return None
        return super().process_message(msg, cell, cell_index)
