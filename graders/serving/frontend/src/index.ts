// The light front end of smtk's Voilà apps.
//
// Voilà's own front end starts a JupyterLab application in the page (about 5 MB of JavaScript in some 90 files)
// before any widget shows; on a 2-core machine that alone takes about 2 s. The apps need only what ipywidgets
// itself ships for pages outside JupyterLab: its widget manager, its controls and the Jupyter kernel client. Voilà
// still serves the page, runs the notebook in its preheated kernel and filters the messages the browser may send;
// this script only connects to that kernel and shows the widgets the notebook displayed.

import * as base from '@jupyter-widgets/base';
import { ManagerBase } from '@jupyter-widgets/base-manager';
import * as controls from '@jupyter-widgets/controls';
import { CommsOverSubshells, ServerConnection } from '@jupyterlab/services';
import { KernelConnection } from '@jupyterlab/services/lib/kernel/default';
import { MessageLoop } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';
import '@jupyter-widgets/base/css/index.css';
import '@jupyter-widgets/controls/css/widgets.css';
import './accessible.css';
import { keepNaming } from './accessible';

const WIDGET_VIEW = 'application/vnd.jupyter.widget-view+json';
const MODULES: Record<string, Record<string, unknown>> = {
  '@jupyter-widgets/base': base,
  '@jupyter-widgets/controls': controls,
};

/** ipywidgets' manager, talking to the page's kernel through the kernel client. */
class KernelWidgetManager extends ManagerBase {
  private readonly views = new Set<base.DOMWidgetView>();

  constructor(private readonly kernel: KernelConnection) {
    super();
    kernel.registerCommTarget(this.comm_target_name, async (comm, message) => {
      await this.handle_comm_open(new base.shims.services.Comm(comm), message);
    });
    window.addEventListener('resize', () => {
      this.views.forEach((view) => MessageLoop.postMessage(view.luminoWidget, Widget.ResizeMessage.UnknownSize));
    });
  }

  /** Fetch every widget's state from the kernel (the notebook has already run there). */
  load(): Promise<void> {
    return this._loadFromKernel();
  }

  /** Show the view of widget `modelId` inside `host`. */
  async show(modelId: string, host: HTMLElement): Promise<void> {
    const view = (await this.create_view(await this.get_model(modelId))) as base.DOMWidgetView;
    Widget.attach(view.luminoWidget, host);
    this.views.add(view);
    view.once('remove', () => this.views.delete(view));
  }

  protected async loadClass(className: string, moduleName: string, moduleVersion: string): Promise<any> {
    const found = MODULES[moduleName]?.[className];
    if (!found) {
      throw new Error(`the widget ${className} (${moduleName} ${moduleVersion}) is not part of smtk's apps`);
    }
    return found;
  }

  protected async _create_comm(
    target: string,
    modelId?: string,
    data?: any,
    metadata?: any,
    buffers?: ArrayBuffer[] | ArrayBufferView[]
  ): Promise<base.IClassicComm> {
    const comm = this.kernel.createComm(target, modelId);
    if (data || metadata) {
      comm.open(data, metadata, buffers);
    }
    return new base.shims.services.Comm(comm);
  }

  protected async _get_comm_info(): Promise<any> {
    const reply = await this.kernel.requestCommInfo({ target_name: this.comm_target_name });
    return (reply.content as any).comms;
  }
}

/** One output of a cell, as Voilà wrote it into the page. */
async function render(output: any, host: HTMLElement, manager: KernelWidgetManager): Promise<void> {
  const data = output.data || {};
  if (data[WIDGET_VIEW]) {
    await manager.show(data[WIDGET_VIEW].model_id, host);
  } else if (data['text/html']) {
    host.innerHTML = data['text/html']; // the notebook's own output, trusted as Voilà trusts it
  } else if (data['image/png']) {
    const image = document.createElement('img');
    image.src = `data:image/png;base64,${data['image/png']}`;
    host.appendChild(image);
  } else {
    const text = document.createElement('pre');
    text.textContent = output.text || data['text/plain'] || (output.evalue ? `${output.ename}: ${output.evalue}` : '');
    host.appendChild(text);
  }
}

function showCells(): void {
  (window as any).themeLoaded = true;
  (window as any).display_cells?.();
}

const SLOW_MS = 15_000; // after this long without widgets, the page says it is still on its way

const NOTICE_ID = 'smtk-notice';
const RECONNECT_GRACE_MS = 1_000;

/** Tell the visitor something: in the loading text while the app loads, in a banner over the app once it shows
 * (Voilà removes the loading text then). */
function say(message: string): void {
  const text = document.getElementById('loading_text');
  if (text) {
    text.textContent = message;
    return;
  }
  let notice = document.getElementById(NOTICE_ID);
  if (!notice) {
    notice = document.createElement('div');
    notice.id = NOTICE_ID;
    notice.setAttribute('role', 'alert');
    Object.assign(notice.style, {
      position: 'sticky',
      top: '0',
      zIndex: '1000',
      padding: '0.6em 1em',
      background: '#fff3cd',
      color: '#664d03',
      borderBottom: '1px solid #ffe69c',
      fontFamily: 'var(--jp-ui-font-family, sans-serif)',
    });
    document.body.prepend(notice);
  }
  notice.textContent = message;
}

function unsay(): void {
  document.getElementById(NOTICE_ID)?.remove();
}

const COULD_NOT_CONNECT =
  'This app could not connect to its server. Reload the page; if that does not help, ask the person who runs the dashboards.';
const RECONNECTING = 'The connection to the server was lost; trying to reconnect. The figures do not update meanwhile.';
const LOST =
  'This app lost its connection to the server (it may have been left idle too long, or the server restarted). ' +
  'Reload the page to start it again.';

const STOPPED =
  "This app's process on the server stopped, and what it held was lost. Reload the page to start the app again.";

function fail(problem: unknown, message: string = COULD_NOT_CONNECT): void {
  console.error(problem);
  say(message);
}

async function main(): Promise<void> {
  if (document.querySelector('.smtk-broken')) {
    return; // the server ended the page with its own message: there is no kernel to connect to
  }
  const config = JSON.parse(document.getElementById('jupyter-config-data')?.textContent || '{}');
  const baseUrl = new URL(config.baseUrl || '/', window.location.href).href;
  const serverSettings = ServerConnection.makeSettings({ baseUrl, wsUrl: baseUrl.replace(/^http/, 'ws') });
  // Voilà lets the browser send widget messages only; the subshell requests of comms over subshells would be refused.
  const kernel = new KernelConnection({
    model: { id: config.kernelId, name: '' },
    serverSettings,
    commsOverSubshells: CommsOverSubshells.Disabled,
  });
  let leaving = false; // a page on its way out loses its connection on purpose
  const slow = setTimeout(
    () => say('Still loading: the server is busy. If nothing shows within a minute, reload the page.'),
    SLOW_MS
  );
  let connected = false; // once connected, a lost connection is news: the app on screen stops answering
  let reconnecting: ReturnType<typeof setTimeout> | undefined;
  let stopped = false; // the kernel the app ran in is gone: what the connection does next changes nothing
  kernel.connectionStatusChanged.connect((_, status) => {
    if (leaving || stopped) {
      return;
    }
    clearTimeout(reconnecting);
    if (status === 'connected') {
      connected = true;
      unsay();
    } else if (status === 'connecting' && connected) {
      reconnecting = setTimeout(() => say(RECONNECTING), RECONNECT_GRACE_MS); // a blip need not flash a banner
    } else if (status === 'disconnected') {
      const problem = new Error('the connection to the kernel was lost and could not be restored');
      fail(problem, connected ? LOST : COULD_NOT_CONNECT);
    }
  });
  // The server restarts a kernel that died, but the new one holds none of the app: its widgets no longer answer.
  kernel.statusChanged.connect((_, status) => {
    if (!leaving && !stopped && (status === 'autorestarting' || status === 'restarting' || status === 'dead')) {
      stopped = true;
      clearTimeout(reconnecting);
      fail(new Error(`the kernel is ${status}`), STOPPED);
    }
  });
  window.addEventListener('beforeunload', () => {
    leaving = true;
    // As Voilà's own page does: stop this page's kernel, so it frees its place at once.
    const form = new FormData();
    form.append('_xsrf', document.cookie.match('\\b_xsrf=([^;]*)\\b')?.[1] || '');
    navigator.sendBeacon(`${baseUrl}voila/api/shutdown/${kernel.id}`, form);
    kernel.dispose();
  });
  const manager = new KernelWidgetManager(kernel);
  // Ask for the widgets only once the kernel has answered: ipywidgets gives that request 4 s before it falls back to
  // asking widget by widget, and they must not be spent opening the websocket (Voilà's own front end waits too).
  await kernel.info;
  await manager.load();
  keepNaming(document.body);
  const outputs = document.querySelectorAll('script[type="application/vnd.voila.cell-output+json"]');
  for (const script of Array.from(outputs)) {
    const host = document.createElement('div');
    host.className = 'jp-OutputArea-output';
    script.after(host);
    // A widget from a library this bundle does not carry becomes ipywidgets' error widget; the rest still works.
    await render(JSON.parse(script.textContent || '{}'), host, manager);
  }
  clearTimeout(slow);
  showCells();
}

main().catch(fail);
