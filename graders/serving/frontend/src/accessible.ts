// What ipywidgets 8 leaves out for people who use a screen reader or a keyboard, added to the apps' widgets as they
// draw: noUiSlider's handles (role "slider") get the slider's description as their name, a chart's image gets its
// finding (simulations/ui/render/chart_view.py writes it as data-alt) as its alternative text, and a control whose
// visible label is hidden is named by its tooltip.
// The controls' colours, focus ring and target sizes are in accessible.css.

/** The text a widget's description label shows, or its tooltip when it has no visible label. */
function widgetName(widget: Element): string {
  const label = widget.querySelector(':scope > .widget-label');
  const shown = label && (label as HTMLElement).style.display !== 'none' ? label.textContent?.trim() : '';
  return shown || widget.getAttribute('title')?.trim() || '';
}

function setIfChanged(element: Element, attribute: string, value: string): void {
  if (value && element.getAttribute(attribute) !== value) {
    element.setAttribute(attribute, value);
  }
}

/** Name every slider handle, image and unlabelled select under `root`. */
export function nameControls(root: ParentNode): void {
  root.querySelectorAll('.widget-slider').forEach((slider) => {
    const name = widgetName(slider);
    const handles = slider.querySelectorAll('.noUi-handle');
    handles.forEach((handle, index) => {
      const which = handles.length > 1 ? (index === 0 ? ' (from)' : ' (to)') : '';
      setIfChanged(handle, 'aria-label', name && `${name}${which}`);
    });
  });
  root.querySelectorAll('.smtk-chart').forEach((chart) => {
    const image = chart.querySelector('img.widget-image');
    const alt = chart.querySelector('.smtk-chart-finding [data-alt]')?.getAttribute('data-alt')?.trim();
    if (image && alt) {
      setIfChanged(image, 'alt', alt);
    }
  });
  root.querySelectorAll('img.widget-image[title]').forEach((image) => {
    setIfChanged(image, 'alt', image.getAttribute('title')?.trim() || '');
  });
  root.querySelectorAll('.widget-dropdown, .widget-select').forEach((widget) => {
    const select = widget.querySelector('select');
    const label = widget.querySelector(':scope > .widget-label') as HTMLElement | null;
    if (select && (!label || label.style.display === 'none' || !label.textContent?.trim())) {
      setIfChanged(select, 'aria-label', select.getAttribute('title')?.trim() || '');
    }
  });
}

/** Keep naming the controls under `root` as widgets are drawn, redrawn and relabelled. */
export function keepNaming(root: HTMLElement): void {
  let pending = false;
  const run = () => {
    pending = false;
    nameControls(root);
    addSkipLink(root);
  };
  new MutationObserver(() => {
    if (!pending) {
      pending = true;
      queueMicrotask(run);
    }
  }).observe(root, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['title', 'data-alt'] });
  nameControls(root);
  addSkipLink(root);
}

/** A "Skip to results" link, the page's first Tab stop, to the first region an app marks as its results. */
export function addSkipLink(root: ParentNode): void {
  const results = root.querySelector('.smtk-results') as HTMLElement | null;
  if (!results || document.querySelector('a.smtk-skip')) {
    return;
  }
  results.id = results.id || 'smtk-results';
  results.setAttribute('tabindex', '-1'); // so the link moves the keyboard focus there, not only the view
  results.setAttribute('role', 'region');
  results.setAttribute('aria-label', 'Results');
  const link = document.createElement('a');
  link.className = 'smtk-skip';
  link.href = `#${results.id}`;
  link.textContent = 'Skip to results';
  link.addEventListener('click', (event) => {
    event.preventDefault();
    results.focus();
  });
  document.body.prepend(link);
}
