// The chat page inside the widget's iframe. The loader passes the inbox's website token, the
// embedding page's origin and the page's language in the query string. Opened on its own (the
// link in a replies email) it is its own parent, and `continue` carries the link's token.
import { mount } from 'svelte';
import Widget from './Widget.svelte';
import { WidgetClient } from './client';
import './widget.css';

const params = new URLSearchParams(location.search);
const target = document.getElementById('widget');
if (!target) throw new Error('widget.html has no #widget element');
const parent = params.get('parent') ?? (window.parent === window ? location.origin : '');
const client = new WidgetClient(params.get('website_token') ?? '', parent);
export default mount(Widget, {
  target,
  props: { client, langHint: params.get('lang'), continueToken: params.get('continue') },
});
