"""The process diagram as server-rendered SVG, with the case's position marked.

`render_process_svg` draws a BPMN file from its diagram interchange (BPMN DI) as a standalone,
accessible SVG for inline embedding; done steps get a check-mark badge, current steps a thick
outline, a dashed frame, a bold name and an "aktuell" badge — the position never by colour alone.
The work is split by job, so that each can be read and changed on its own:

* `layout` — reading shapes, edges, lanes/pools and labels from the BPMN DI into dataclasses;
* `measure` — width estimates of label text in the diagram's font;
* `linebreak` — wrapping and German hyphenation of labels (pyphen);
* `svg`, `shapes`, `render` — drawing: primitives, the flow nodes, the document.
"""

from web.diagram.layout import DiagramError
from web.diagram.linebreak import wrap
from web.diagram.render import render_process_svg

__all__ = ["DiagramError", "render_process_svg", "wrap"]
