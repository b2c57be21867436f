// What axe-core (WCAG 2.x A and AA) finds wrong in JupyterLab 4's own interface on a learner's page, fixed in the
// page's attributes as JupyterLab draws and redraws its widgets. One pass fixes everything; it runs once per frame
// after anything in the shell changes (a MutationObserver), and when a heading is collapsed or expanded. Each fix
// names the axe rule it answers.
import { INotebookTracker } from '@jupyterlab/notebook';

const CELL_TYPES = { code: 'Code', markdown: 'Markdown', raw: 'Raw' };

function setIfChanged(element, attribute, value) {
  if (element.getAttribute(attribute) !== value) {
    element.setAttribute(attribute, value);
  }
}

// The state of a toggle, kept on the button inside a jp-button's shadow root: the web component copies the host's
// aria-pressed there, and takes it away again once the host's attribute is removed.
const pressed = new WeakMap();

function keepPressed(control, value) {
  if (!pressed.has(control)) {
    new MutationObserver(() => setIfChanged(control, 'aria-pressed', pressed.get(control))).observe(control, {
      attributeFilter: ['aria-pressed']
    });
  }
  pressed.set(control, value);
  setIfChanged(control, 'aria-pressed', value);
}

// aria-allowed-attr: JupyterLab writes aria-pressed on every toolbar button's jp-button element, which has no role
// (the button a screen reader meets is the <button> inside it), so the attribute is not allowed there. It is taken
// off the element; a toggle command's state (such as the file browser's "Toggle File Filter") is kept on the inner
// button, and a button that toggles nothing (Upload Files, Validate) no longer reads as a toggle button.
function fixPressed(host, commands) {
  const value = host.getAttribute('aria-pressed');
  host.removeAttribute('aria-pressed');
  const command = host.dataset.command;
  const control = host.shadowRoot && host.shadowRoot.querySelector('button');
  if (control && command && commands.hasCommand(command) && commands.isToggleable(command)) {
    keepPressed(control, value);
  }
}

function fixNotebook(notebook, watchHeading) {
  const cells = notebook.widgets;
  cells.forEach((cell, index) => {
    const position = index + 1;
    // aria-required-children: the notebook's list of cells has role "feed", whose items must be articles;
    // JupyterLab names each cell ("Code Cell Content") but gives it no role. An article also says where it is.
    setIfChanged(cell.node, 'role', 'article');
    setIfChanged(cell.node, 'aria-posinset', String(position));
    setIfChanged(cell.node, 'aria-setsize', String(cells.length));
    // aria-input-field-name: a cell's CodeMirror editor is a textbox with no name; it is named by the cell's type
    // and place ("Code cell 3"), as the learner sees the notebook.
    const area = cell.inputArea; // none while the cell is a placeholder, not yet drawn
    if (!area) {
      return;
    }
    const input = area.node.querySelector('.cm-content[role="textbox"]');
    if (input) {
      setIfChanged(input, 'aria-label', `${CELL_TYPES[cell.model.type] || 'Notebook'} cell ${position}`);
    }
    // button-name: a Markdown heading's collapse button (in the cell's prompt) is empty, an icon drawn by CSS; it is
    // named by what it does to the section under the heading, and by the heading's text.
    const collapse = area.promptNode.querySelector('.jp-collapseHeadingButton');
    if (collapse) {
      const action = cell.headingCollapsed ? 'Expand' : 'Collapse';
      const heading = ((cell.headingInfo && cell.headingInfo.text) || '').trim();
      setIfChanged(collapse, 'aria-label', heading ? `${action} section: ${heading}` : `${action} section`);
      watchHeading(cell);
    }
  });
}

const plugin = {
  id: 'smtk-lab-a11y:plugin',
  description: 'Names and roles that axe-core finds missing in JupyterLab: cell editors, heading buttons, toggles.',
  autoStart: true,
  optional: [INotebookTracker],
  activate: (app, notebooks) => {
    const shell = app.shell.node;
    const watched = new WeakSet();
    let scheduled = false;

    // Collapsing a heading changes no element of the button, only the cell's state: its signal asks for a pass.
    const watchHeading = (cell) => {
      if (!watched.has(cell) && cell.headingCollapsedChanged) {
        watched.add(cell);
        cell.headingCollapsedChanged.connect(schedule);
      }
    };

    const pass = () => {
      scheduled = false;
      shell.querySelectorAll('jp-button[aria-pressed]').forEach((host) => fixPressed(host, app.commands));
      if (notebooks) {
        notebooks.forEach((panel) => fixNotebook(panel.content, watchHeading));
      }
      // aria-input-field-name, outside a notebook (a file editor, a console): named by the tab it is in.
      shell.querySelectorAll('.cm-content[role="textbox"]:not([aria-label])').forEach((input) => {
        const owner = Array.from(app.shell.widgets('main')).find((widget) => widget.node.contains(input));
        input.setAttribute('aria-label', owner ? `Editor: ${owner.title.label}` : 'Editor');
      });
    };

    function schedule() {
      if (!scheduled) {
        scheduled = true;
        requestAnimationFrame(pass);
      }
    }

    new MutationObserver(schedule).observe(shell, {
      subtree: true,
      childList: true,
      attributeFilter: ['aria-pressed']
    });
    schedule();
  }
};

export default plugin;
