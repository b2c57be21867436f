// The reading view of a code-free lesson (Voilà's own front end in the learner's server) gets what the apps' light
// front end adds to ipywidgets: named slider handles, selects and images, and the controls' contrast, focus ring,
// target sizes and reflow (accessible.css). Everything else on the page is Voilà's.

import './accessible.css';
import { keepNaming } from './accessible';

if (document.readyState === 'loading') {
  document.addEventListener('DOMContentLoaded', () => keepNaming(document.body));
} else {
  keepNaming(document.body);
}
