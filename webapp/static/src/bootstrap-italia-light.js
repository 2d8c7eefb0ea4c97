// The Bootstrap Italia components the citizen pages use, instead of its whole bundle (996 KB with
// video.js, the carousel, autocompletes...): modals, collapses, the mobile header menu, the labels of
// form fields and the keyboard focus ring. Each plugin wires its data-bs-* attributes on import; the
// classes the plugins toggle are kept by the CSS purge because this bundle is one of its sources.
import init from 'bootstrap-italia/src/js/plugins/init'
import Modal from 'bootstrap-italia/src/js/plugins/modal'
import Collapse from 'bootstrap-italia/src/js/plugins/collapse'
import NavBarCollapsible from 'bootstrap-italia/src/js/plugins/navbar-collapsible'
import Input from 'bootstrap-italia/src/js/plugins/input'

init()
window.bootstrap = { Modal, Collapse, NavBarCollapsible, Input }
