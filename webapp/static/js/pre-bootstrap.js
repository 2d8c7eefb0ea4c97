// Loaded before the Bootstrap Italia bundle: its video.js would otherwise inject <style> elements,
// which the Content-Security-Policy (style-src 'self') blocks.
window.VIDEOJS_NO_DYNAMIC_STYLE = true;
