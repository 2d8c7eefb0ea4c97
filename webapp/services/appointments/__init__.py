"""Appointments: calendars, opening hours and closures, available slots, meetings and their notices."""

from webapp.models import Calendar, Meeting, OpeningHour

from ._agenda import (
    action_refusal,
    available_actions,
    book_for_citizen,
    get_meeting,
    list_meetings,
    operator_action,
    reschedule,
    set_video_link,
)
from ._availability import Window, days, slots_for_day, stored
from ._calendars import (
    FLAGS,
    NOTICE_HOURS,
    TYPES,
    OfficeCard,
    bookable_calendars,
    calendars_for_service,
    create_calendar,
    delete_calendar,
    editable_calendar,
    form_values,
    get_calendar,
    list_calendars,
    office_card,
    staff_members,
    update_calendar,
)
from ._meetings import (
    booking_period_bounds,
    by_token,
    cancel_by_booker,
    cancel_refusal,
    confirm,
    draft,
    expire_drafts,
    follow_application,
    for_application,
    hold_slot,
    local_day,
    of_citizen,
    on_application_status_changed,
    save_applicant,
    save_details,
    service_slug,
)
from ._notices import NOTIFICATION_KINDS, STATUS_LABELS, calendar_ics, csv_rows, ics, set_notifications, wants
from ._opening_hours import (
    add_closure,
    bookable_days,
    bookable_slots,
    delete_closure,
    delete_hour,
    get_hour,
    hour_values,
    office_slots,
    save_hour,
    split_by_expiry,
)

__all__ = [
    "FLAGS", "NOTICE_HOURS", "NOTIFICATION_KINDS", "STATUS_LABELS", "TYPES", "Calendar", "Meeting",
    "OfficeCard", "OpeningHour", "Window", "action_refusal", "add_closure", "available_actions", "book_for_citizen",
    "bookable_calendars", "bookable_days", "bookable_slots", "booking_period_bounds", "by_token",
    "calendar_ics", "calendars_for_service", "cancel_by_booker", "cancel_refusal", "confirm", "create_calendar",
    "csv_rows", "days",
    "delete_calendar", "delete_closure", "delete_hour", "draft", "editable_calendar", "expire_drafts",
    "follow_application", "for_application", "form_values", "get_calendar", "get_hour", "get_meeting",
    "hold_slot", "hour_values", "ics", "list_calendars", "list_meetings", "local_day", "of_citizen",
    "office_card", "office_slots", "on_application_status_changed", "operator_action", "reschedule", "save_applicant",
    "save_details", "save_hour", "service_slug", "set_notifications", "set_video_link", "slots_for_day",
    "split_by_expiry", "staff_members", "stored", "update_calendar", "wants",
]
