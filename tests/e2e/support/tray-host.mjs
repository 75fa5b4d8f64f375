// A StatusNotifier host on the test's session bus: what a desktop panel
// (KDE, GNOME's AppIndicator extension, waybar, ...) is to the app's tray
// icon. It owns org.kde.StatusNotifierWatcher, so the app's tray
// (libayatana-appindicator) registers its item here instead of falling
// back to an X11 tray, and it reads and clicks the item's menu through
// com.canonical.dbusmenu exactly as a panel does when the user opens it.
import dbus from 'dbus-next';

const { Message, Variant } = dbus;
const WATCHER_PATH = '/StatusNotifierWatcher';
const WATCHER = 'org.kde.StatusNotifierWatcher';

const INTROSPECTION = `<!DOCTYPE node PUBLIC "-//freedesktop//DTD D-BUS Object Introspection 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/introspect.dtd">
<node>
  <interface name="${WATCHER}">
    <method name="RegisterStatusNotifierItem"><arg name="service" type="s" direction="in"/></method>
    <method name="RegisterStatusNotifierHost"><arg name="service" type="s" direction="in"/></method>
    <property name="RegisteredStatusNotifierItems" type="as" access="read"/>
    <property name="IsStatusNotifierHostRegistered" type="b" access="read"/>
    <property name="ProtocolVersion" type="i" access="read"/>
    <signal name="StatusNotifierItemRegistered"><arg type="s"/></signal>
    <signal name="StatusNotifierItemUnregistered"><arg type="s"/></signal>
    <signal name="StatusNotifierHostRegistered"/>
  </interface>
</node>`;

/** One menu entry as a panel shows it. */
function toEntry([id, props, children]) {
  const value = (key, fallback) => (props[key] === undefined ? fallback : props[key].value);
  return {
    id,
    label: String(value('label', '')).replace(/_(?!_)/g, ''),
    enabled: value('enabled', true),
    visible: value('visible', true),
    separator: value('type', 'standard') === 'separator',
    children: children.map((child) => toEntry(child.value)),
  };
}

export async function startTrayHost() {
  const bus = dbus.sessionBus();
  /** Registered items: { service, path }. */
  const items = [];

  const registered = () => items.map((item) => `${item.service}${item.path}`);
  const properties = () => ({
    RegisteredStatusNotifierItems: new Variant('as', registered()),
    IsStatusNotifierHostRegistered: new Variant('b', true),
    ProtocolVersion: new Variant('i', 0),
  });
  const reply = (msg, signature = '', body = []) => bus.send(Message.newMethodReturn(msg, signature, body));

  bus.addMethodHandler((msg) => {
    if (msg.path !== WATCHER_PATH) return false;
    switch (`${msg.interface}.${msg.member}`) {
      case `${WATCHER}.RegisterStatusNotifierItem`: {
        // Items register by object path (from their unique name) or by bus name.
        const [arg] = msg.body;
        const item = arg.startsWith('/') ? { service: msg.sender, path: arg } : { service: arg, path: '/StatusNotifierItem' };
        items.push(item);
        reply(msg);
        bus.send(Message.newSignal(WATCHER_PATH, WATCHER, 'StatusNotifierItemRegistered', 's', [`${item.service}${item.path}`]));
        return true;
      }
      case `${WATCHER}.RegisterStatusNotifierHost`:
        reply(msg);
        return true;
      case 'org.freedesktop.DBus.Properties.Get':
        reply(msg, 'v', [properties()[msg.body[1]] ?? new Variant('s', '')]);
        return true;
      case 'org.freedesktop.DBus.Properties.GetAll':
        reply(msg, 'a{sv}', [properties()]);
        return true;
      case 'org.freedesktop.DBus.Introspectable.Introspect':
        reply(msg, 's', [INTROSPECTION]);
        return true;
      default:
        return false;
    }
  });
  await bus.requestName(WATCHER, 0);

  /** Items whose owner is still on the bus (an app that quit leaves). */
  async function liveItems() {
    const names = await bus.call(
      new Message({
        destination: 'org.freedesktop.DBus',
        path: '/org/freedesktop/DBus',
        interface: 'org.freedesktop.DBus',
        member: 'ListNames',
      }),
    );
    const onBus = new Set(names.body[0]);
    return items.filter((item) => onBus.has(item.service));
  }

  async function item() {
    const live = await liveItems();
    if (live.length === 0) throw new Error('no tray item is registered');
    const { service, path } = live[live.length - 1];
    const object = await bus.getProxyObject(service, path);
    const props = object.getInterface('org.freedesktop.DBus.Properties');
    const get = async (name) => (await props.Get('org.kde.StatusNotifierItem', name)).value;
    const menuPath = await get('Menu');
    const menuObject = await bus.getProxyObject(service, menuPath);
    return { get, menu: menuObject.getInterface('com.canonical.dbusmenu') };
  }

  return {
    /** Whether an app's tray item is registered and alive. */
    async hasItem() {
      return (await liveItems()).length > 0;
    },
    /** A property of the item (IconName, Title, Status, ...). */
    async property(name) {
      return (await item()).get(name);
    },
    /** The menu's entries, top level, as the panel would show them. */
    async menu() {
      const { menu } = await item();
      await menu.AboutToShow(0).catch(() => false);
      const [, layout] = await menu.GetLayout(0, -1, []);
      return toEntry(layout).children.filter((entry) => entry.visible);
    },
    /** Clicks the entry whose label matches `label` (a string or RegExp). */
    async click(label) {
      const { menu } = await item();
      const entries = await this.menu();
      const matches = (entry) => (label instanceof RegExp ? label.test(entry.label) : entry.label === label);
      const entry = entries.find(matches);
      if (!entry) throw new Error(`no menu entry ${label}; the menu has: ${entries.map((e) => e.label).join(' | ')}`);
      await menu.Event(entry.id, 'clicked', new Variant('i', 0), Math.floor(Date.now() / 1000));
    },
    stop() {
      bus.disconnect();
    },
  };
}
