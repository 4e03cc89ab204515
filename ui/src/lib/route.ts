// Screens live in the URL's hash, so a reload or a link (an invitation) opens the right one.

export type Route =
  | { screen: 'home' }
  | { screen: 'agents' }
  | { screen: 'canned' }
  | { screen: 'labels' }
  | { screen: 'routing' }
  | { screen: 'inboxes' }
  | { screen: 'email' }
  | { screen: 'backups' }
  | { screen: 'network' }
  | { screen: 'login' }
  | { screen: 'setup' }
  | { screen: 'join' }
  | { screen: 'invitation'; token: string };

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#\/?/, '');
  const [head, ...rest] = path.split('/');
  switch (head) {
    case 'agents':
      return { screen: 'agents' };
    case 'canned':
      return { screen: 'canned' };
    case 'labels':
      return { screen: 'labels' };
    case 'routing':
      return { screen: 'routing' };
    case 'inboxes':
      return { screen: 'inboxes' };
    case 'email':
      return { screen: 'email' };
    case 'backups':
      return { screen: 'backups' };
    case 'network':
      return { screen: 'network' };
    case 'login':
      return { screen: 'login' };
    case 'setup':
      return { screen: 'setup' };
    case 'join':
      return { screen: 'join' };
    case 'invitation':
      return rest[0] ? { screen: 'invitation', token: decodeURIComponent(rest[0]) } : { screen: 'login' };
    default:
      return { screen: 'home' };
  }
}

export function href(route: Route): string {
  return route.screen === 'invitation' ? `#/invitation/${encodeURIComponent(route.token)}` : `#/${route.screen}`;
}
