"""EWS items with exchangelib: every item type created with every field it
has, read back, updated, moved, copied and deleted; sending to a local
user; ChangeKey conflicts; MarkAllItemsAsRead and MarkAsJunk."""

import datetime
from decimal import Decimal

import pytest
from exchangelib import (DistributionList, EWSDate, EWSDateTime,
                         EWSTimeZone, ExtendedProperty, HTMLBody, Mailbox,
                         Message)
from exchangelib.errors import ErrorIrresolvableConflict
from exchangelib.indexed_properties import (EmailAddress, PhoneNumber,
                                            PhysicalAddress)
from exchangelib.items import (SEND_ONLY_TO_ALL, SEND_TO_ALL_AND_SAVE_COPY,
                               CalendarItem, Contact, MeetingCancellation,
                               MeetingRequest, PostItem, Task)
from exchangelib.properties import Attendee, Member
from exchangelib.recurrence import (AbsoluteMonthlyPattern,
                                    AbsoluteYearlyPattern, DailyPattern,
                                    DailyRegeneration, EndDatePattern,
                                    MonthlyRegeneration, NoEndPattern,
                                    NumberedPattern, Recurrence,
                                    RelativeMonthlyPattern,
                                    RelativeYearlyPattern, TaskRecurrence,
                                    WeeklyPattern, WeeklyRegeneration,
                                    YearlyRegeneration)
from exchangelib.fields import MONDAY, SECOND, TUESDAY, WEDNESDAY

from ewslib import ALICE, BOB, CAROL, NS, account, messages, soap

UTC = EWSTimeZone("UTC")
BERLIN = EWSTimeZone("Europe/Berlin")


class Flavour(ExtendedProperty):
    """A named property by name in PS_PUBLIC_STRINGS."""
    distinguished_property_set_id = "PublicStrings"
    property_name = "Flavour"
    property_type = "String"


class Counter(ExtendedProperty):
    """A named property by id in a set of our own."""
    property_set_id = "c11ff724-aa03-4555-9952-8fa248a11c3e"
    property_id = 0x8201
    property_type = "Integer"


class Comment(ExtendedProperty):
    """A tagged property: PR_COMMENT."""
    property_tag = 0x3004
    property_type = "String"


Message.register("flavour", Flavour)
Message.register("counter", Counter)
Message.register("comment", Comment)


def refetch(a, item):
    got = list(a.fetch(ids=[item]))[0]
    if isinstance(got, Exception):
        raise got
    return got


def addr(mailboxes):
    return sorted(m.email_address for m in mailboxes or [])


def test_message_every_field(nginx):
    a = account(nginx)
    due = EWSDateTime(2030, 5, 6, 7, 8, 9, tzinfo=UTC)
    m = Message(
        account=a, folder=a.drafts, subject="Every field \u00e9\u4e2d",
        body=HTMLBody("<html><body><p>Hello <b>there</b></p></body></html>"),
        to_recipients=[Mailbox(email_address=BOB, name="Bob Brown")],
        cc_recipients=[Mailbox(email_address=CAROL)],
        bcc_recipients=[Mailbox(email_address="x@ext.test")],
        reply_to=[Mailbox(email_address="replies@example.test")],
        importance="High", sensitivity="Confidential",
        categories=["Red", "Blue category"], is_read=False,
        is_read_receipt_requested=True, is_delivery_receipt_requested=True,
        is_response_requested=True, in_reply_to="<parent@ext.test>",
        references="<grand@ext.test> <parent@ext.test>",
        reminder_is_set=True, reminder_due_by=due,
        reminder_minutes_before_start=30, culture="de-DE",
        flavour="vanilla", counter=42, comment="a comment")
    m.save()
    assert m.id and m.changekey

    got = refetch(a, m)
    assert got.subject == "Every field \u00e9\u4e2d"
    assert "Hello <b>there</b>" in got.body
    assert type(got.body) is HTMLBody
    assert addr(got.to_recipients) == [BOB]
    assert got.to_recipients[0].name == "Bob Brown"
    assert addr(got.cc_recipients) == [CAROL]
    assert addr(got.bcc_recipients) == ["x@ext.test"]
    assert addr(got.reply_to) == ["replies@example.test"]
    assert got.importance == "High"
    assert got.sensitivity == "Confidential"
    assert sorted(got.categories) == ["Blue category", "Red"]
    assert got.is_read is False
    assert got.is_read_receipt_requested is True
    assert got.is_delivery_receipt_requested is True
    assert got.in_reply_to == "<parent@ext.test>"
    assert got.references == "<grand@ext.test> <parent@ext.test>"
    assert got.reminder_is_set is True
    assert got.reminder_due_by == due
    assert got.reminder_minutes_before_start == 30
    assert got.culture == "de-DE"
    assert got.flavour == "vanilla"
    assert got.counter == 42
    assert got.comment == "a comment"
    assert got.is_draft is True
    assert got.item_class == "IPM.Note"
    assert got.size > 0
    assert got.datetime_created and got.last_modified_time
    assert got.parent_folder_id.id == a.drafts.id
    assert got.has_attachments is False
    assert got.text_body.strip().startswith("Hello")
    assert got.mime_content.startswith(b"") and b"Subject:" in \
        got.mime_content

    # update: set, append, delete
    got.subject = "Changed"
    got.importance = "Low"
    got.categories = ["Green"]
    got.comment = None
    got.save(update_fields=["subject", "importance", "categories",
                            "comment"])
    again = refetch(a, got)
    assert again.subject == "Changed" and again.importance == "Low"
    assert again.categories == ["Green"] and again.comment is None
    assert again.changekey != m.changekey


def test_message_text_body_and_best(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="Plain",
                body="line one\nline two")
    m.save()
    got = refetch(a, m)
    assert got.body == "line one\nline two"
    assert got.text_body == "line one\nline two"
    base = ('<m:GetItem><m:ItemShape><t:BaseShape>Default</t:BaseShape>'
            '<t:BodyType>%s</t:BodyType></m:ItemShape><m:ItemIds>'
            '<t:ItemId Id="%s"/></m:ItemIds></m:GetItem>')
    html = soap(nginx, base % ("HTML", m.id)).find(".//t:Body", NS)
    assert html.get("BodyType") == "HTML" and "line one" in html.text
    best = soap(nginx, base % ("Best", m.id)).find(".//t:Body", NS)
    assert best.get("BodyType") == "Text"


def test_stale_changekey_is_a_conflict(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.drafts, subject="v1")
    m.save()
    old = m.changekey
    m.subject = "v2"
    m.save(update_fields=["subject"])
    assert m.changekey != old

    upd = ('<m:UpdateItem MessageDisposition="SaveOnly" '
           'ConflictResolution="%s"><m:ItemChanges><t:ItemChange>'
           '<t:ItemId Id="%s" ChangeKey="%s"/><t:Updates><t:SetItemField>'
           '<t:FieldURI FieldURI="item:Subject"/><t:Message><t:Subject>%s'
           '</t:Subject></t:Message></t:SetItemField></t:Updates>'
           '</t:ItemChange></m:ItemChanges></m:UpdateItem>')
    for mode in ("NeverOverwrite", "AutoResolve"):
        msgs = messages(soap(nginx, upd % (mode, m.id, old, "v3")))
        assert msgs[0][1] == "ErrorIrresolvableConflict"
    msgs = messages(soap(nginx, upd % ("AlwaysOverwrite", m.id, old, "v4")))
    assert msgs[0][1] == "NoError"
    assert refetch(a, m).subject == "v4"

    # exchangelib's own way
    m.subject = "v5"
    with pytest.raises(ErrorIrresolvableConflict):
        m.save(update_fields=["subject"], conflict_resolution="NeverOverwrite")


def test_send_to_a_local_user(nginx):
    a = account(nginx)
    b = account(nginx, BOB)
    m = Message(account=a, folder=a.sent, subject="Hello Bob",
                body=HTMLBody("<p>Hi <b>Bob</b></p>"),
                to_recipients=[Mailbox(email_address=BOB)],
                cc_recipients=[CAROL])
    m.send_and_save()
    got = list(b.inbox.filter(subject="Hello Bob"))
    assert len(got) == 1
    got = got[0]
    assert got.sender.email_address == ALICE
    assert got.author.email_address == ALICE
    assert addr(got.to_recipients) == [BOB]
    assert addr(got.cc_recipients) == [CAROL]
    assert "Hi <b>Bob</b>" in got.body
    assert got.is_read is False and got.is_draft is False
    assert got.message_id
    sent = list(a.sent.filter(subject="Hello Bob"))
    assert len(sent) == 1
    assert sent[0].is_read is True and sent[0].is_draft is False
    assert sent[0].message_id == got.message_id
    carol = account(nginx, CAROL)
    assert len(list(carol.inbox.filter(subject="Hello Bob"))) == 1

    # SendOnly: no copy
    Message(account=a, subject="Only", body="x",
            to_recipients=[BOB]).send(save_copy=False)
    assert len(list(b.inbox.filter(subject="Only"))) == 1
    assert len(list(a.sent.filter(subject="Only"))) == 0

    # a draft sent with SendItem (SaveItemToFolder)
    d = Message(account=a, folder=a.drafts, subject="Draft", body="y",
                to_recipients=[BOB])
    d.save()
    d.send()
    assert len(list(b.inbox.filter(subject="Draft"))) == 1
    assert len(list(a.drafts.filter(subject="Draft"))) == 0
    assert len(list(a.sent.filter(subject="Draft"))) == 1

    # SendAndSaveCopy into a folder of our choice
    d = Message(account=a, folder=a.inbox, subject="Kept here", body="z",
                to_recipients=[BOB])
    d.send(copy_to_folder=a.inbox)
    assert len(list(a.inbox.filter(subject="Kept here"))) == 1


def test_send_without_recipients(nginx):
    body = ('<m:CreateItem MessageDisposition="SendOnly"><m:Items>'
            '<t:Message><t:Subject>nobody</t:Subject></t:Message>'
            '</m:Items></m:CreateItem>')
    assert messages(soap(nginx, body))[0][1] == "ErrorInvalidRecipients"


def test_calendar_item_every_field(nginx):
    a = account(nginx)
    start = EWSDateTime(2030, 3, 4, 10, 0, tzinfo=BERLIN)
    end = EWSDateTime(2030, 3, 4, 11, 30, tzinfo=BERLIN)
    c = CalendarItem(
        account=a, folder=a.calendar, subject="Planning",
        body="Agenda", start=start, end=end, location="Room 1",
        legacy_free_busy_status="Tentative", is_all_day=False,
        required_attendees=[Attendee(mailbox=Mailbox(email_address=BOB),
                                     response_type="Accept")],
        optional_attendees=[Attendee(mailbox=Mailbox(
            email_address=CAROL), response_type="Unknown")],
        resources=[Attendee(mailbox=Mailbox(email_address="room@ext.test"),
                            response_type="Unknown")],
        categories=["Work"], importance="High", sensitivity="Private",
        reminder_is_set=True, reminder_minutes_before_start=15,
        allow_new_time_proposal=False, is_response_requested=True,
        conference_type=1,
        recurrence=Recurrence(pattern=WeeklyPattern(
            interval=1, weekdays=[MONDAY, WEDNESDAY], first_day_of_week=1),
            start=EWSDate(2030, 3, 4), number=10))
    c.save(send_meeting_invitations="SendToNone")
    got = refetch(a, c)
    assert got.subject == "Planning" and got.body == "Agenda"
    assert got.start == start and got.end == end
    assert got.location == "Room 1"
    assert got.legacy_free_busy_status == "Tentative"
    assert got.is_all_day is False
    assert [x.mailbox.email_address for x in got.required_attendees] == [BOB]
    assert [x.mailbox.email_address for x in got.optional_attendees] == \
        [CAROL]
    assert [x.mailbox.email_address for x in got.resources] == \
        ["room@ext.test"]
    assert got.categories == ["Work"]
    assert got.importance == "High" and got.sensitivity == "Private"
    assert got.reminder_is_set and got.reminder_minutes_before_start == 15
    assert got.allow_new_time_proposal is False
    assert got.conference_type == 1
    assert got.uid
    assert got.item_class == "IPM.Appointment"
    assert got.type == "RecurringMaster"
    assert got.is_recurring is True
    assert got.organizer.email_address == ALICE
    assert got.is_meeting is True
    assert got.recurrence.pattern.weekdays == [1, 3]    # Monday, Wednesday
    assert got.recurrence.pattern.interval == 1
    assert got.recurrence.boundary.number == 10
    assert got.recurrence.boundary.start == EWSDate(2030, 3, 4)
    assert got._start_timezone.key == "Europe/Berlin"

    # update the time; a stale uid is kept
    got.start = start + datetime.timedelta(hours=1)
    got.end = end + datetime.timedelta(hours=1)
    got.save(update_fields=["start", "end"],
             send_meeting_invitations="SendToNone")
    again = refetch(a, got)
    assert again.start == start + datetime.timedelta(hours=1)
    assert again.uid == got.uid


PATTERNS = [
    DailyPattern(interval=3),
    WeeklyPattern(interval=2, weekdays=[TUESDAY, "Friday"],
                  first_day_of_week=MONDAY),
    AbsoluteMonthlyPattern(interval=1, day_of_month=31),
    RelativeMonthlyPattern(interval=2, weekday="Weekday", week_number="Last"),
    AbsoluteYearlyPattern(day_of_month=29, month="February"),
    RelativeYearlyPattern(weekday="Thursday", week_number="Fourth",
                          month="November"),
]
BOUNDARIES = [
    NoEndPattern(start=EWSDate(2030, 1, 1)),
    EndDatePattern(start=EWSDate(2030, 1, 1), end=EWSDate(2034, 6, 30)),
    NumberedPattern(start=EWSDate(2030, 1, 1), number=7),
]


def same_pattern(a, b):
    return type(a) is type(b) and all(
        getattr(a, f.name) == getattr(b, f.name) for f in a.FIELDS
        if getattr(a, f.name) is not None)


@pytest.mark.parametrize("pattern", PATTERNS, ids=lambda p: type(p).__name__)
@pytest.mark.parametrize("boundary", BOUNDARIES,
                         ids=lambda b: type(b).__name__)
def test_recurrence_patterns(nginx, pattern, boundary):
    a = account(nginx)
    c = CalendarItem(account=a, folder=a.calendar, subject="Series",
                     start=EWSDateTime(2030, 1, 1, 8, tzinfo=UTC),
                     end=EWSDateTime(2030, 1, 1, 9, tzinfo=UTC),
                     recurrence=Recurrence(pattern=pattern,
                                           boundary=boundary))
    c.save()
    got = refetch(a, c).recurrence
    want = Recurrence(pattern=pattern, boundary=boundary)
    want.clean()
    assert same_pattern(got.pattern, want.pattern), got.pattern
    assert type(got.boundary) is type(boundary)
    assert got.boundary.start == boundary.start
    if isinstance(boundary, EndDatePattern):
        assert got.boundary.end == boundary.end
    if isinstance(boundary, NumberedPattern):
        assert got.boundary.number == 7


@pytest.mark.parametrize("pattern", [
    DailyRegeneration(interval=2), WeeklyRegeneration(interval=1),
    MonthlyRegeneration(interval=3), YearlyRegeneration(interval=1),
    WeeklyPattern(interval=1, weekdays=[MONDAY])],
    ids=lambda p: type(p).__name__)
def test_task_recurrence_patterns(nginx, pattern):
    a = account(nginx)
    t = Task(account=a, folder=a.tasks, subject="Chore",
             start_date=EWSDate(2030, 2, 3), due_date=EWSDate(2030, 2, 3),
             recurrence=TaskRecurrence(
                 pattern=pattern,
                 boundary=NumberedPattern(start=EWSDate(2030, 2, 3),
                                          number=5)))
    t.save()
    got = refetch(a, t)
    assert same_pattern(got.recurrence.pattern, pattern)
    assert got.recurrence.boundary.number == 5
    assert got.is_recurring is True


def test_recurrence_removed(nginx):
    a = account(nginx)
    c = CalendarItem(account=a, folder=a.calendar, subject="Once again",
                     start=EWSDateTime(2030, 1, 1, 8, tzinfo=UTC),
                     end=EWSDateTime(2030, 1, 1, 9, tzinfo=UTC),
                     recurrence=Recurrence(pattern=DailyPattern(interval=1),
                                           start=EWSDate(2030, 1, 1),
                                           number=3))
    c.save()
    got = refetch(a, c)
    assert got.type == "RecurringMaster"
    got.recurrence = None
    got.save(update_fields=["recurrence"])
    again = refetch(a, got)
    assert again.recurrence is None and again.type == "Single"
    assert again.is_recurring is False


def test_calendar_item_all_day_and_view(nginx):
    a = account(nginx)
    for day in range(1, 6):
        CalendarItem(account=a, folder=a.calendar, subject="Day %d" % day,
                     start=EWSDateTime(2031, 1, day, 9, tzinfo=UTC),
                     end=EWSDateTime(2031, 1, day, 10, tzinfo=UTC)).save()
    allday = CalendarItem(account=a, folder=a.calendar, subject="Holiday",
                          start=EWSDate(2031, 1, 3), end=EWSDate(2031, 1, 4),
                          is_all_day=True)
    allday.save()
    got = refetch(a, allday)
    assert got.is_all_day is True
    view = a.calendar.view(start=EWSDateTime(2031, 1, 2, tzinfo=UTC),
                           end=EWSDateTime(2031, 1, 4, 12, tzinfo=UTC))
    assert sorted(i.subject for i in view) == ["Day 2", "Day 3", "Day 4",
                                               "Holiday"]


def test_task_every_field(nginx):
    a = account(nginx)
    t = Task(account=a, folder=a.tasks, subject="Write report",
             body="Details", status="InProgress", percent_complete=Decimal(40),
             start_date=EWSDate(2030, 1, 1), due_date=EWSDate(2030, 1, 31),
             actual_work=60, total_work=240, billing_information="ACME",
             mileage="12 km", companies=["ACME", "Initech"],
             contacts=["Bob", "Carol"], importance="Low",
             categories=["Reports"],
             recurrence=TaskRecurrence(pattern=RelativeMonthlyPattern(
                 interval=1, weekday=TUESDAY, week_number=SECOND),
                 start=EWSDate(2030, 1, 1), end=EWSDate(2030, 12, 31)))
    t.save()
    got = refetch(a, t)
    assert got.subject == "Write report" and got.body == "Details"
    assert got.status == "InProgress"
    assert got.percent_complete == Decimal(40)
    assert got.start_date == EWSDate(2030, 1, 1)
    assert got.due_date == EWSDate(2030, 1, 31)
    assert got.actual_work == 60 and got.total_work == 240
    assert got.billing_information == "ACME" and got.mileage == "12 km"
    assert got.companies == ["ACME", "Initech"]
    assert got.contacts == ["Bob", "Carol"]
    assert got.importance == "Low" and got.categories == ["Reports"]
    assert got.item_class == "IPM.Task"
    assert got.is_complete is False
    assert got.recurrence.pattern.weekday == 2          # Tuesday
    assert got.recurrence.pattern.week_number == 2      # Second
    assert got.recurrence.boundary.end == EWSDate(2030, 12, 31)
    got.status = "Completed"
    got.save(update_fields=["status"])
    done = refetch(a, got)
    assert done.status == "Completed" and done.is_complete is True
    assert done.percent_complete == Decimal(100)
    assert done.complete_date is not None


def test_contact_every_field(nginx):
    a = account(nginx)
    c = Contact(
        account=a, folder=a.contacts, given_name="Dana",
        middle_name="Q", surname="Doe", nickname="DD", initials="D.Q.D.",
        generation="Jr.", display_name="Dana Doe", file_as="Doe, Dana",
        file_as_mapping="LastCommaFirst", company_name="ACME",
        department="R&D", job_title="Engineer", manager="Erin",
        assistant_name="Frank", office="B12", profession="Physicist",
        spouse_name="Sam", children=["Kim", "Lee"],
        companies=["ACME", "Globex"], mileage="5",
        business_homepage="https://acme.example/",
        birthday=EWSDate(1980, 2, 29),
        wedding_anniversary=EWSDate(2005, 6, 1),
        email_addresses=[
            EmailAddress(email="dana@acme.example", label="EmailAddress1"),
            EmailAddress(email="dana@home.example", label="EmailAddress2")],
        phone_numbers=[
            PhoneNumber(label="BusinessPhone", phone_number="+1 555 0100"),
            PhoneNumber(label="MobilePhone", phone_number="+1 555 0101"),
            PhoneNumber(label="HomePhone", phone_number="+1 555 0102"),
            PhoneNumber(label="BusinessFax", phone_number="+1 555 0103")],
        physical_addresses=[
            PhysicalAddress(label="Business", street="1 Main St",
                            city="Springfield", state="IL",
                            country="USA", zipcode="62701"),
            PhysicalAddress(label="Home", street="2 Elm St",
                            city="Shelbyville", country="USA")],
        postal_address_index="Business", body="Met at the fair",
        categories=["Friends"])
    c.save()
    got = refetch(a, c)
    for f in ("given_name", "middle_name", "surname", "nickname", "initials",
              "generation", "display_name", "file_as", "file_as_mapping",
              "company_name", "department", "job_title", "manager",
              "assistant_name", "office", "profession", "spouse_name",
              "children", "companies", "mileage", "business_homepage",
              "birthday", "wedding_anniversary", "postal_address_index",
              "body", "categories"):
        assert getattr(got, f) == getattr(c, f), f
    emails = {e.label: e.email for e in got.email_addresses}
    assert emails == {"EmailAddress1": "dana@acme.example",
                      "EmailAddress2": "dana@home.example"}
    phones = {p.label: p.phone_number for p in got.phone_numbers}
    assert phones == {"BusinessPhone": "+1 555 0100",
                      "MobilePhone": "+1 555 0101",
                      "HomePhone": "+1 555 0102",
                      "BusinessFax": "+1 555 0103"}
    addrs = {p.label: p for p in got.physical_addresses}
    assert addrs["Business"].street == "1 Main St"
    assert addrs["Business"].city == "Springfield"
    assert addrs["Business"].state == "IL"
    assert addrs["Business"].zipcode == "62701"
    assert addrs["Home"].city == "Shelbyville"
    assert got.item_class == "IPM.Contact"
    assert got.complete_name.first_name == "Dana"

    # an indexed field updated on its own
    got.phone_numbers = [PhoneNumber(label="MobilePhone",
                                     phone_number="+1 555 0199")]
    got.save(update_fields=["phone_numbers"])
    phones = {p.label: p.phone_number for p in refetch(a, got).phone_numbers}
    assert phones["MobilePhone"] == "+1 555 0199"


def test_distribution_list(nginx):
    a = account(nginx)
    dl = DistributionList(account=a, folder=a.contacts, display_name="Team",
                          members=[Member(mailbox=Mailbox(email_address=BOB)),
                                   Member(mailbox=Mailbox(
                                       email_address=CAROL))])
    dl.save()
    got = refetch(a, dl)
    assert got.display_name == "Team"
    assert sorted(m.mailbox.email_address for m in got.members) == \
        [BOB, CAROL]
    assert got.item_class == "IPM.DistList"


def test_post_item(nginx):
    a = account(nginx)
    p = PostItem(account=a, folder=a.inbox, subject="A post",
                 body="Posted text", importance="High")
    p.save()
    got = refetch(a, p)
    assert type(got) is PostItem
    assert got.subject == "A post" and got.body == "Posted text"
    assert got.item_class == "IPM.Post"
    assert got.author.email_address == ALICE


def test_move_copy_delete(nginx):
    a = account(nginx)
    m = Message(account=a, folder=a.inbox, subject="Wanderer")
    m.save()
    c = m.copy(to_folder=a.drafts)
    assert len(list(a.drafts.filter(subject="Wanderer"))) == 1
    m.move(to_folder=a.junk)
    assert len(list(a.junk.filter(subject="Wanderer"))) == 1
    assert len(list(a.inbox.filter(subject="Wanderer"))) == 0

    m.move_to_trash()
    assert len(list(a.trash.filter(subject="Wanderer"))) == 1

    # SoftDelete: the item stays in the folder's soft-deleted contents
    # (exchangelib's soft_delete() wants a Recoverable Items/Deletions
    # folder, which this store does not have)
    m2 = list(a.drafts.filter(subject="Wanderer"))[0]
    body = ('<m:DeleteItem DeleteType="SoftDelete"><m:ItemIds><t:ItemId '
            'Id="%s"/></m:ItemIds></m:DeleteItem>' % m2.id)
    assert messages(soap(nginx, body))[0][1] == "NoError"
    assert len(list(a.drafts.filter(subject="Wanderer"))) == 0
    body = ('<m:FindItem Traversal="SoftDeleted"><m:ItemShape><t:BaseShape>'
            'Default</t:BaseShape></m:ItemShape><m:ParentFolderIds>'
            '<t:DistinguishedFolderId Id="drafts"/></m:ParentFolderIds>'
            '</m:FindItem>')
    subjects = [e.text for e in soap(nginx, body).iter(
        "{%s}Subject" % NS["t"])]
    assert subjects == ["Wanderer"]

    t = list(a.trash.filter(subject="Wanderer"))[0]
    tid = t.id
    t.delete()
    body = ('<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
            '</m:ItemShape><m:ItemIds><t:ItemId Id="%s"/></m:ItemIds>'
            '</m:GetItem>' % tid)
    assert messages(soap(nginx, body))[0][1] == "ErrorItemNotFound"
    assert c is not None


def test_mark_all_read_and_junk(nginx):
    a = account(nginx)
    for i in range(4):
        Message(account=a, folder=a.inbox, subject="Unread %d" % i,
                is_read=False).save()
    a.inbox.refresh()
    assert a.inbox.unread_count == 4
    body = ('<m:MarkAllItemsAsRead><m:ReadFlag>true</m:ReadFlag>'
            '<m:SuppressReadReceipts>true</m:SuppressReadReceipts>'
            '<m:FolderIds>'
            '<t:DistinguishedFolderId Id="inbox"/></m:FolderIds>'
            '</m:MarkAllItemsAsRead>')
    assert messages(soap(nginx, body))[0][1] == "NoError"
    a.inbox.refresh()
    assert a.inbox.unread_count == 0

    victim = list(a.inbox.filter(subject="Unread 0"))[0]
    victim.mark_as_junk(is_junk=True, move_item=True)
    assert len(list(a.junk.filter(subject="Unread 0"))) == 1
    back = list(a.junk.filter(subject="Unread 0"))[0]
    back.mark_as_junk(is_junk=False, move_item=True)
    assert len(list(a.inbox.filter(subject="Unread 0"))) == 1


def test_bulk_and_another_users_item(nginx):
    a = account(nginx)
    b = account(nginx, BOB)
    ids = a.bulk_create(folder=a.drafts, items=[
        Message(account=a, subject="Bulk %d" % i) for i in range(20)])
    assert len(ids) == 20
    got = list(a.fetch(ids=ids, only_fields=["subject"]))
    assert sorted(g.subject for g in got) == sorted("Bulk %d" % i
                                                    for i in range(20))
    # bob may not read alice's drafts
    body = ('<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
            '</m:ItemShape><m:ItemIds><t:ItemId Id="%s"/></m:ItemIds>'
            '</m:GetItem>' % ids[0].id)
    assert messages(soap(nginx, body, user=BOB))[0][1] == \
        "ErrorAccessDenied"
    a.bulk_delete(ids)
    assert len(list(a.drafts.filter(subject__startswith="Bulk"))) == 0
    assert b is not None


def test_meeting_request_to_a_local_user(nginx):
    a = account(nginx)
    b = account(nginx, BOB)
    start = EWSDateTime(2030, 4, 1, 9, tzinfo=UTC)
    c = CalendarItem(
        account=a, folder=a.calendar, subject="Sync-up", location="Room 2",
        start=start, end=start + datetime.timedelta(hours=1),
        required_attendees=[BOB])
    c.save(send_meeting_invitations=SEND_TO_ALL_AND_SAVE_COPY)
    got = list(b.inbox.filter(subject="Sync-up"))
    assert len(got) == 1
    req = got[0]
    assert type(req) is MeetingRequest
    assert req.item_class == "IPM.Schedule.Meeting.Request"
    assert req.start == start and req.location == "Room 2"
    assert req.conversation_id is not None
    assert req.author.email_address == ALICE
    assert len(list(a.sent.filter(subject="Sync-up"))) == 1

    # deleting the meeting cancels it
    c.delete(send_meeting_cancellations=SEND_ONLY_TO_ALL)
    got = list(b.inbox.filter(subject="Canceled: Sync-up"))
    assert len(got) == 1
    assert type(got[0]) is MeetingCancellation


def test_filter_html_content_removes_what_runs(nginx):
    html = ('<html><body><p onclick="x()">Hi <b>there</b></p>'
            '<script>alert(1)</script><iframe src="http://x/"></iframe>'
            '<a href=" javascript:x()">link</a>'
            '<img src="cid:logo" onerror="y()"></body></html>')
    esc = html.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    body = ('<m:CreateItem MessageDisposition="SaveOnly"><m:SavedItemFolderId>'
            '<t:DistinguishedFolderId Id="inbox"/></m:SavedItemFolderId>'
            '<m:Items><t:Message><t:Subject>Filtered</t:Subject>'
            '<t:Body BodyType="HTML">%s</t:Body></t:Message></m:Items>'
            '</m:CreateItem>' % esc.replace('"', "&quot;"))
    iid = soap(nginx, body).find(".//t:ItemId", NS).get("Id")

    def get(flt):
        body = ('<m:GetItem><m:ItemShape><t:BaseShape>IdOnly</t:BaseShape>'
                '<t:BodyType>HTML</t:BodyType>%s<t:AdditionalProperties>'
                '<t:FieldURI FieldURI="item:Body"/><t:FieldURI '
                'FieldURI="item:UniqueBody"/></t:AdditionalProperties>'
                '</m:ItemShape><m:ItemIds><t:ItemId Id="%s"/></m:ItemIds>'
                '</m:GetItem>' % (flt, iid))
        root = soap(nginx, body)
        return (root.find(".//t:Message/t:Body", NS).text,
                root.find(".//t:Message/t:UniqueBody", NS).text)

    raw, _ = get("")
    assert "<script>" in raw and "onclick" in raw
    for got in get("<t:FilterHtmlContent>true</t:FilterHtmlContent>"):
        assert got == ('<html><body><p>Hi <b>there</b></p><a>link</a>'
                       '<img src="cid:logo"></body></html>')
