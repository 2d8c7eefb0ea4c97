"""Layout checks of the page a browser shows, at whatever window size it has: nothing wider than the
window, every table cell inside it, no field label drawn over anything else, the menu behind its button."""

from __future__ import annotations

from typing import Any

from tests.conftest import assert_accessible

# Boxes are compared with half a pixel of tolerance: edges that merely touch are not an overlap.
# Hidden means: no box, invisible, or inside a box clipped to a pixel (the visually-hidden pattern).
_VISIBLE = """el => { const box = el.getBoundingClientRect(), style = getComputedStyle(el);
  if (box.width <= 1 || box.height <= 1 || style.visibility === 'hidden' || el.offsetParent === null) return false;
  for (let up = el.parentElement; up; up = up.parentElement) {
    const around = up.getBoundingClientRect();
    if (getComputedStyle(up).overflow !== 'visible' && (around.width <= 1 || around.height <= 1)) return false;
  }
  return true; }"""

# A cell is in sight when it lies within the window and within the box of any scrolling wrapper around it.
_CELLS_OUTSIDE = f"""() => {{ const visible = {_VISIBLE};
  const outside = cell => {{
    const box = cell.getBoundingClientRect();
    let left = 0, right = window.innerWidth;
    for (let up = cell.parentElement; up; up = up.parentElement) {{
      if (getComputedStyle(up).overflowX !== 'visible') {{
        const around = up.getBoundingClientRect();
        left = Math.max(left, around.left); right = Math.min(right, around.right);
      }}
    }}
    return box.left < left - 0.5 || box.right > right + 0.5; }};
  return [...document.querySelectorAll('main table tbody :is(td, th)')].filter(visible).filter(outside)
    .map(cell => cell.textContent.trim().replace(/\\s+/g, ' ').slice(0, 40)); }}"""

# Bootstrap Italia moves a field's label above its input by a transform, out of the flow: the one kind
# of text on these pages that can be drawn over other content. Each is compared with everything else.
_LABELS_OVER_CONTENT = f"""() => {{ const visible = {_VISIBLE};
  const scope = document.querySelector('.modal.show') || document;  // an open dialog hides the rest
  const all = selector => [...scope.querySelectorAll(selector)].filter(visible);
  const labels = all('.form-group label, .select-wrapper label');
  const others = all('h1, h2, h3, h4, h5, h6, legend, label, p, a, button, input:not([type=hidden]), select, '
                     + 'textarea, small, .badge, li, dt, dd, th, td');
  const text = el => {{ const box = el.getBoundingClientRect();
    return el.tagName + '«' + (el.textContent || el.value || '').trim().replace(/\\s+/g, ' ').slice(0, 40) + '»'
      + [box.left, box.top, box.right, box.bottom].map(Math.round).join(','); }};
  const found = [];
  for (const label of labels) {{
    const group = label.closest('.form-group, .select-wrapper'), a = label.getBoundingClientRect();
    for (const other of others) {{
      if (group.contains(other) || other.contains(group)) continue;  // a label lies on its own field by design
      const b = other.getBoundingClientRect();
      const across = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const down = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (across > 0.5 && down > 0.5) found.push(text(label) + ' over ' + text(other));
    }}
  }}
  return found; }}"""


# axe leaves Bootstrap Italia's badges "incomplete" (elmPartiallyObscured: the font's glyph box is taller
# than the badge), so their contrast is measured here: text colour against the first background behind it.
_BADGE_CONTRASTS = f"""() => {{ const visible = {_VISIBLE};
  const rgba = value => value.match(/[\\d.]+/g).map(Number);
  const luminance = ([r, g, b]) => [r, g, b].map(c => c / 255)
    .map(c => c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4)
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const background = el => {{
    for (let up = el; up; up = up.parentElement) {{
      const colour = rgba(getComputedStyle(up).backgroundColor);
      if (colour.length < 4 || colour[3] > 0) return colour;
    }}
    return [255, 255, 255];
  }};
  return [...document.querySelectorAll('.badge')].filter(visible).map(badge => {{
    const [a, b] = [luminance(rgba(getComputedStyle(badge).color)), luminance(background(badge))];
    return [badge.textContent.trim(), (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05)];
  }}); }}"""


def assert_badges_readable(page: Any) -> None:
    """Status chips and other badges: at least 4.5:1 between text and background (WCAG 1.4.3)."""
    poor = [(text, round(ratio, 2)) for text, ratio in page.evaluate(_BADGE_CONTRASTS) if ratio < 4.5]
    assert not poor, f"{page.url}: badges below 4.5:1 contrast: {poor}"


def assert_fits_the_window(page: Any) -> None:
    """No sideways scrolling of the page itself (WCAG 1.4.10)."""
    width, window = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width <= window, f"{page.url}: the page is {width} px wide in a {window} px window"


def assert_table_cells_in_the_window(page: Any) -> None:
    """Every column of every table, status and links included, is in sight without scrolling sideways."""
    outside = page.evaluate(_CELLS_OUTSIDE)
    assert not outside, f"{page.url}: table cells outside the window: {outside}"


def assert_no_label_overlaps(page: Any) -> None:
    overlaps = page.evaluate(_LABELS_OVER_CONTENT)
    assert not overlaps, f"{page.url}: {overlaps}"


def assert_laid_out(page: Any) -> None:
    """All the layout checks and axe, on the page as it is now (its web fonts loaded: they set the sizes)."""
    page.evaluate("() => document.fonts.ready.then(() => true)")
    assert_fits_the_window(page)
    assert_table_cells_in_the_window(page)
    assert_no_label_overlaps(page)
    assert_badges_readable(page)
    assert_accessible(page)


def check_page(page: Any, url: str) -> None:
    response = page.goto(url)
    assert response.status == 200, (url, response.status)
    assert_laid_out(page)


def settled_box(page: Any, locator: Any) -> dict[str, float]:
    """The element's box once it stops moving (an off-canvas menu slides in)."""
    previous = None
    for _ in range(50):
        box = locator.bounding_box()
        if box is not None and box == previous:
            return box  # type: ignore[no-any-return]
        previous = box
        page.wait_for_timeout(100)
    raise AssertionError(f"{locator} never came to rest")


def menu_link(page: Any, name: str) -> Any:
    """A link of the header's menu, which on phones is first brought out by its button."""
    toggler = page.get_by_role("button", name="Mostra/Nascondi la navigazione")
    if toggler.is_visible():
        toggler.click()
    link = page.locator("#main-menu").get_by_role("link", name=name)
    link.wait_for(state="visible")
    return link
