// A StatusNotifier host on the test's session bus: what a desktop panel
// (KDE, GNOME's AppIndicator extension, waybar, ...) is to the app's tray
// icon. It owns org.kde.StatusNotifierWatcher, so the app's tray
// (libayatana-appindicator) registers its item here instead of falling
// back to an X11 tray, and it reads and clicks the item's menu through
// com.canonical.dbusmenu exactly as a panel does when the user opens it.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
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

/** The same picture, pixel for pixel (ImageMagick's `compare`). */
export function samePicture(a, b) {
  try {
    execFileSync('compare', ['-metric', 'AE', a, b, 'null:'], { stdio: 'pipe' });
    return true;
  } catch {
    return false;
  }
}

export async function startTrayHost() {
  const bus = dbus.sessionBus();
  /** Registered items: { service, path }. */
  const items = [];
  /** Icons written out so far (each read gets its own file). */
  let iconsRead = 0;

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
    /**
     * The icon as a panel draws it, as a PNG file: the file its IconName
     * names, or else its largest IconPixmap (ARGB32, network byte order)
     * written out as a PNG.
     */
    async iconFile() {
      const { get } = await item();
      const name = await get('IconName').catch(() => '');
      if (name && name.startsWith('/')) return name;
      const pixmaps = await get('IconPixmap');
      if (!pixmaps || pixmaps.length === 0) throw new Error('the item shows no icon');
      const [width, height, argb] = pixmaps.reduce((big, p) => (p[0] * p[1] > big[0] * big[1] ? p : big));
      const rgba = Buffer.alloc(argb.length);
      for (let i = 0; i < argb.length; i += 4) {
        rgba[i] = argb[i + 1];
        rgba[i + 1] = argb[i + 2];
        rgba[i + 2] = argb[i + 3];
        rgba[i + 3] = argb[i];
      }
      iconsRead += 1;
      const dir = process.env.TW_SESSION_DIR ?? '/tmp';
      const raw = path.join(dir, `tray-icon-${iconsRead}.rgba`);
      const png = path.join(dir, `tray-icon-${iconsRead}.png`);
      writeFileSync(raw, rgba);
      execFileSync('convert', ['-size', `${width}x${height}`, '-depth', '8', `rgba:${raw}`, `png32:${png}`]);
      return png;
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
