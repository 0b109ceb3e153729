"""EWS FindItem over a folder of thousands of items: exchangelib's filters,
ordering and paging, and raw SOAP for the views, restrictions, sorts and
groupings exchangelib does not write."""

import datetime

import pytest
from exchangelib import Q, EWSDateTime, EWSTimeZone, Folder
from exchangelib.items import Contact

from ewslib import ALICE, NS, account, messages, seed, soap

N = 3000
UTC = EWSTimeZone("UTC")
T0 = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)


def subject(n):
    return "Message %06d" % n


@pytest.fixture
def big(nginx):
    """A folder of N seeded messages (see tools/exch-seed.c for what
    message n looks like), and the account."""
    a = account(nginx)
    f = Folder(parent=a.inbox, name="Big")
    f.save()
    seed(nginx, ALICE, "Big", N)
    f.refresh()
    return a, f


def test_counts(big):
    a, f = big
    assert f.total_count == N
    assert f.unread_count == N // 2
    assert f.all().count() == N


@pytest.mark.parametrize("kw, want", [
    ({"subject": subject(1234)}, lambda n: n == 1234),
    ({"subject__contains": "0123"}, lambda n: "0123" in subject(n)),
    ({"subject__icontains": "message 0029"},
     lambda n: "Message 0029" in subject(n)),
    ({"subject__startswith": "Message 0012"},
     lambda n: subject(n).startswith("Message 0012")),
    ({"importance": "High"}, lambda n: n % 3 == 2),
    ({"importance__in": ["Low", "High"]}, lambda n: n % 3 != 1),
    ({"is_read": False}, lambda n: n % 2 == 1),
    ({"categories__contains": ["even"]}, lambda n: n % 2 == 0),
    ({"sender": "sender007@ext.test"}, lambda n: n % 100 == 7),
    ({"datetime_received__gte": EWSDateTime(2020, 1, 1, 10, tzinfo=UTC),
      "datetime_received__lt": EWSDateTime(2020, 1, 1, 12, tzinfo=UTC)},
     lambda n: 600 <= n < 720),
    ({"datetime_received__range": (EWSDateTime(2020, 1, 2, tzinfo=UTC),
                                   EWSDateTime(2020, 1, 2, 0, 5,
                                               tzinfo=UTC))},
     lambda n: 1440 <= n <= 1445),
    ({"subject__exists": True}, lambda n: True),
    ({"subject__not": subject(5)}, lambda n: n != 5),
], ids=lambda v: ",".join(v) if isinstance(v, dict) else "")
def test_filters(big, kw, want):
    a, f = big
    got = sorted(f.filter(**kw).values_list("subject", flat=True))
    assert got == [subject(n) for n in range(N) if want(n)]


def test_q_objects(big):
    a, f = big
    q = (Q(importance="High") | Q(is_read=False)) & ~Q(subject__contains="1")
    got = sorted(f.filter(q).values_list("subject", flat=True))
    want = [subject(n) for n in range(N)
            if (n % 3 == 2 or n % 2 == 1) and "1" not in subject(n)]
    assert got == want


def test_ordering_and_slicing(big):
    a, f = big
    newest = list(f.all().order_by("-datetime_received")
                  .values_list("subject", flat=True)[:10])
    assert newest == [subject(n) for n in range(N - 1, N - 11, -1)]
    page = list(f.all().order_by("subject")
                .values_list("subject", flat=True)[1000:1010])
    assert page == [subject(n) for n in range(1000, 1010)]
    multi = list(f.all().order_by("importance", "-subject")
                 .values_list("subject", flat=True)[:4])
    low = sorted((n for n in range(N) if n % 3 == 0), reverse=True)
    assert multi == [subject(n) for n in low[:4]]
    assert f.all().order_by("subject")[N - 1].subject == subject(N - 1)


def test_paging_through_everything(big):
    a, f = big
    qs = f.all().only("subject")
    qs.page_size = 250
    got = [i.subject for i in qs]
    assert sorted(got) == [subject(n) for n in range(N)]


def find(nginx, parent, view="", restriction="", sort="", group="",
         shape="IdOnly", extra="", traversal="Shallow"):
    body = ('<m:FindItem Traversal="%s"><m:ItemShape><t:BaseShape>%s'
            '</t:BaseShape>%s</m:ItemShape>%s%s%s%s<m:ParentFolderIds>%s'
            '</m:ParentFolderIds></m:FindItem>'
            % (traversal, shape, extra, view, group, restriction, sort,
               parent))
    return soap(nginx, body)


SUBJ = ('<t:AdditionalProperties><t:FieldURI FieldURI="item:Subject"/>'
        '</t:AdditionalProperties>')


def subjects(root):
    return [e.text for e in root.iter("{%s}Subject" % NS["t"])]


def test_indexed_paging_from_the_end(nginx, big):
    a, f = big
    parent = '<t:FolderId Id="%s"/>' % f.id
    sort = ('<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI '
            'FieldURI="item:Subject"/></t:FieldOrder></m:SortOrder>')
    root = find(nginx, parent, '<m:IndexedPageItemView MaxEntriesReturned='
                '"5" Offset="0" BasePoint="End"/>', sort=sort, extra=SUBJ)
    rf = root.find(".//m:RootFolder", NS)
    assert rf.get("TotalItemsInView") == str(N)
    assert subjects(root) == [subject(n) for n in range(N - 5, N)]


def test_fractional_paging(nginx, big):
    a, f = big
    parent = '<t:FolderId Id="%s"/>' % f.id
    sort = ('<m:SortOrder><t:FieldOrder Order="Ascending"><t:FieldURI '
            'FieldURI="item:Subject"/></t:FieldOrder></m:SortOrder>')
    root = find(nginx, parent, '<m:FractionalPageItemView MaxEntriesReturned='
                '"3" Numerator="1" Denominator="2"/>', sort=sort, extra=SUBJ)
    rf = root.find(".//m:RootFolder", NS)
    assert subjects(root) == [subject(n) for n in range(N // 2, N // 2 + 3)]
    assert rf.get("NumeratorOffset") == str(N // 2 + 3)
    assert rf.get("AbsoluteDenominator") == str(N)


RES = '<m:Restriction>%s</m:Restriction>'


@pytest.mark.parametrize("restriction, want", [
    ('<t:Excludes><t:ExtendedFieldURI PropertyTag="0x0E07" PropertyType='
     '"Integer"/><t:Bitmask Value="0x1"/></t:Excludes>',
     lambda n: n % 2 == 1),
    ('<t:IsGreaterThanOrEqualTo><t:ExtendedFieldURI PropertyTag="0x0017" '
     'PropertyType="Integer"/><t:FieldURIOrConstant><t:Constant Value="2"/>'
     '</t:FieldURIOrConstant></t:IsGreaterThanOrEqualTo>',
     lambda n: n % 3 == 2),
    ('<t:IsLessThan><t:FieldURI FieldURI="item:Subject"/>'
     '<t:FieldURIOrConstant><t:Constant Value="Message 000010"/>'
     '</t:FieldURIOrConstant></t:IsLessThan>', lambda n: n < 10),
    ('<t:IsNotEqualTo><t:FieldURI FieldURI="message:IsRead"/>'
     '<t:FieldURIOrConstant><t:Constant Value="true"/>'
     '</t:FieldURIOrConstant></t:IsNotEqualTo>', lambda n: n % 2 == 1),
    ('<t:And><t:Contains ContainmentMode="Substring" ContainmentComparison='
     '"IgnoreCase"><t:FieldURI FieldURI="item:Subject"/><t:Constant '
     'Value="E 0000"/></t:Contains><t:Not><t:IsEqualTo><t:FieldURI '
     'FieldURI="item:Importance"/><t:FieldURIOrConstant><t:Constant '
     'Value="Normal"/></t:FieldURIOrConstant></t:IsEqualTo></t:Not>'
     '</t:And>', lambda n: n < 100 and n % 3 != 1),
    ('<t:Or><t:IsEqualTo><t:FieldURI FieldURI="item:Subject"/>'
     '<t:FieldURIOrConstant><t:Constant Value="Message 000003"/>'
     '</t:FieldURIOrConstant></t:IsEqualTo><t:Contains ContainmentMode='
     '"FullString" ContainmentComparison="Exact"><t:FieldURI FieldURI='
     '"item:Subject"/><t:Constant Value="Message 000007"/></t:Contains>'
     '</t:Or>', lambda n: n in (3, 7)),
    ('<t:Exists><t:ExtendedFieldURI PropertyTag="0x0E06" '
     'PropertyType="SystemTime"/></t:Exists>', lambda n: True),
    ('<t:Contains ContainmentMode="Prefixed" ContainmentComparison='
     '"IgnoreCase"><t:ExtendedFieldURI DistinguishedPropertySetId='
     '"PublicStrings" PropertyName="Keywords" PropertyType="StringArray"/>'
     '<t:Constant Value="ODD"/></t:Contains>', lambda n: n % 2 == 1),
], ids=["excludes", "ext-gte", "lt", "neq", "and-not", "or", "exists",
        "named-mv"])
def test_raw_restrictions(nginx, big, restriction, want):
    a, f = big
    root = find(nginx, '<t:FolderId Id="%s"/>' % f.id,
                restriction=RES % restriction, extra=SUBJ)
    assert sorted(subjects(root)) == [subject(n) for n in range(N)
                                      if want(n)]


def test_group_by(nginx, big):
    a, f = big
    group = ('<m:GroupBy Order="Ascending"><t:FieldURI FieldURI='
             '"item:Importance"/><t:AggregateOn Aggregate="Maximum">'
             '<t:FieldURI FieldURI="item:DateTimeReceived"/></t:AggregateOn>'
             '</m:GroupBy>')
    root = find(nginx, '<t:FolderId Id="%s"/>' % f.id, group=group,
                view='<m:IndexedPageItemView MaxEntriesReturned="9" Offset='
                '"0" BasePoint="Beginning"/>')
    groups = root.findall(".//t:GroupedItems", NS)
    assert [g.find("t:GroupIndex", NS).text for g in groups] == ["Low"]
    assert len(groups[0].findall("t:Items/t:Message", NS)) == 9
    # from the end: the last Normal ones and the High ones
    root = find(nginx, '<t:FolderId Id="%s"/>' % f.id, group=group,
                view='<m:IndexedPageItemView MaxEntriesReturned="4" Offset='
                '"%d" BasePoint="Beginning"/>' % (2 * N // 3 - 2))
    groups = root.findall(".//t:GroupedItems", NS)
    assert [g.find("t:GroupIndex", NS).text for g in groups] == \
        ["Normal", "High"]

    dgroup = ('<m:DistinguishedGroupBy><t:StandardGroupBy>ConversationTopic'
              '</t:StandardGroupBy></m:DistinguishedGroupBy>')
    root = find(nginx, '<t:FolderId Id="%s"/>' % f.id, group=dgroup,
                view='<m:IndexedPageItemView MaxEntriesReturned="4" Offset='
                '"0" BasePoint="Beginning"/>')
    assert messages(root)[0][1] == "NoError"
    assert len(root.findall(".//t:GroupedItems", NS)) == 4


def test_unknown_field_and_bad_sort(nginx, big):
    a, f = big
    body = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>'
            'IdOnly</t:BaseShape></m:ItemShape><m:SortOrder><t:FieldOrder '
            'Order="Ascending"><t:FieldURI FieldURI="item:Attachments"/>'
            '</t:FieldOrder></m:SortOrder><m:ParentFolderIds><t:FolderId '
            'Id="%s"/></m:ParentFolderIds></m:FindItem>' % f.id)
    assert messages(soap(nginx, body))[0][1] == \
        "ErrorUnsupportedPathForSortGroup"
    body = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>'
            'IdOnly</t:BaseShape></m:ItemShape><m:IndexedPageItemView '
            'MaxEntriesReturned="10" Offset="-1" BasePoint="Beginning"/>'
            '<m:ParentFolderIds><t:FolderId Id="%s"/></m:ParentFolderIds>'
            '</m:FindItem>' % f.id)
    assert messages(soap(nginx, body))[0][1] == \
        "ErrorInvalidIndexedPagingParameters"


def test_contacts_view(nginx):
    a = account(nginx)
    for given, sur in (("Ann", "Abel"), ("Ben", "Berg"), ("Cid", "Cole"),
                       ("Dan", "Dorn"), ("Eve", "Ernst")):
        Contact(account=a, folder=a.contacts, given_name=given, surname=sur,
                display_name="%s %s" % (given, sur),
                file_as="%s, %s" % (sur, given)).save()
    body = ('<m:FindItem Traversal="Shallow"><m:ItemShape><t:BaseShape>'
            'AllProperties</t:BaseShape></m:ItemShape><m:ContactsView '
            'InitialName="B" FinalName="D~"/><m:ParentFolderIds>'
            '<t:DistinguishedFolderId Id="contacts"/></m:ParentFolderIds>'
            '</m:FindItem>')
    root = soap(nginx, body)
    names = [e.text for e in root.iter("{%s}FileAs" % NS["t"])]
    assert names == ["Berg, Ben", "Cole, Cid", "Dorn, Dan"]


def test_associated_traversal(nginx):
    body = ('<m:CreateUserConfiguration><m:UserConfiguration>'
            '<t:UserConfigurationName Name="Test.Config"><t:DistinguishedFolderId'
            ' Id="inbox"/></t:UserConfigurationName><t:XmlData>'
            'PGEvPg==</t:XmlData></m:UserConfiguration>'
            '</m:CreateUserConfiguration>')
    assert messages(soap(nginx, body))[0][1] == "NoError"
    root = find(nginx, '<t:DistinguishedFolderId Id="inbox"/>',
                traversal="Associated",
                extra='<t:AdditionalProperties><t:FieldURI FieldURI='
                '"item:ItemClass"/></t:AdditionalProperties>')
    classes = [e.text for e in root.iter("{%s}ItemClass" % NS["t"])]
    assert "IPM.Configuration.Test.Config" in classes
    normal = find(nginx, '<t:DistinguishedFolderId Id="inbox"/>')
    assert normal.find(".//m:RootFolder", NS).get("TotalItemsInView") == "0"
