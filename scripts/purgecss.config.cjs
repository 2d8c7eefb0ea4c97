// Which of Bootstrap Italia's rules the pages keep (scripts/vendor_assets.py runs purgecss with this).
// The sources are every template, our scripts, the Python that writes markup and the light bundle
// itself, so the classes its plugins toggle (show, collapsing, modal-open, focus--keyboard...) stay.
module.exports = {
  content: [
    'webapp/templates/**/*.html',
    'forms/**/*.py',
    'forms/**/*.html',
    'webapp/views/**/*.py',
    'webapp/static/js/*.js',
    'webapp/static/vendor/bootstrap-italia/js/bootstrap-italia.light.min.js',
  ],
  css: ['webapp/static/vendor/bootstrap-italia/css/bootstrap-italia.min.css'],
  // Classes a template builds from a variable (alert-{{ category }}, icon-{{ size }}, btn-{{ kind }}),
  // and the state classes Bootstrap's own JavaScript adds.
  safelist: {
    standard: ['show', 'showing', 'hiding', 'fade', 'collapsing', 'collapsed', 'expanded', 'active',
      'modal-open', 'modal-backdrop', 'modal-static', 'is-invalid', 'is-valid', 'was-validated',
      'focus--keyboard', 'focus--mouse', 'disabled'],
    greedy: [/^alert-/, /^icon-/, /^bg-/, /^btn-/, /^text-/],
  },
  fontFace: false,
  keyframes: false,
  variables: false,
}
