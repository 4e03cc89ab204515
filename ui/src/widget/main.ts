// The chat page inside the widget's iframe. The loader passes the inbox's website token, the
// embedding page's origin and the page's language in the query string.
import { mount } from 'svelte';
import Widget from './Widget.svelte';
import { WidgetClient } from './client';
import './widget.css';

const params = new URLSearchParams(location.search);
const target = document.getElementById('widget');
if (!target) throw new Error('widget.html has no #widget element');
const client = new WidgetClient(params.get('website_token') ?? '', params.get('parent') ?? '');
export default mount(Widget, { target, props: { client, langHint: params.get('lang') } });
