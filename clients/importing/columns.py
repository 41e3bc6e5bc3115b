"""The column maps of the file import: one list of columns per kind, read by the parser, the pages,
the template files and docs/import-formats.md alike, so that they cannot disagree."""

import re
from dataclasses import dataclass, field

from django.utils import translation
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from clients.models import Client, Complaint, Contract, SatisfactionSurvey
from reviews.models import DepartmentKind, Language, Position

# Cell types the parser knows (clients/importing/parsing.py converts each).
TEXT = "text"
EMAIL = "email"
DATE = "date"
DATETIME = "datetime"
DECIMAL = "decimal"
SCORE = "score"
CHOICE = "choice"
REF = "ref"
# yes / no (是 / 否): a flag such as "assessed" or "execution group".
YESNO = "yesno"
# Several department codes in one cell, separated by commas, 、 or semicolons (a clerk's data duties).
CODES = "codes"

TYPE_LABELS = {
    TEXT: _("text"),
    EMAIL: _("e-mail address"),
    DATE: _("date (YYYY-MM-DD or YYYY/MM/DD)"),
    DATETIME: _("date and time (YYYY-MM-DD HH:MM)"),
    DECIMAL: _("amount (up to 2 decimals)"),
    SCORE: _("whole number 1–5"),
    CHOICE: _("one of the values listed"),
    REF: _("reference"),
    YESNO: _("yes or no (是 or 否)"),
    CODES: _("department codes separated by commas or 、"),
}

# What a reference column points at, and by which natural key.
REF_LABELS = {
    "client": _("client code"),
    "staff": _("username of a staff member"),
    "contract": _("contract number"),
    "department": _("department code"),
}


def with_code(label, code):
    """A label in the reader's language with the code a file may use beside it: 状态（status）, Status (status)."""
    return gettext("%(label)s (%(code)s)") % {"label": label, "code": code}


def listing(items):
    """Items joined as the reader's language lists them (、 in Chinese)."""
    return pgettext("list separator", ", ").join(str(item) for item in items)


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    aliases: tuple[str, ...] = ()
    type: str = TEXT
    # required: the column must be in the file; blank: a cell may be left empty.
    required: bool = True
    blank: bool = False
    max_length: int | None = None
    choices: tuple[tuple[str, str], ...] = ()
    # Extra spellings accepted for each choice code (Chinese labels, common synonyms).
    choice_aliases: dict = field(default_factory=dict)
    ref: str | None = None
    # For amounts: "positive" (> 0) or "not_negative" (>= 0), the model's CheckConstraints.
    sign: str = ""
    rule: str = ""
    example: str = ""

    @property
    def type_label(self):
        if self.type == REF:
            return REF_LABELS[self.ref]
        return TYPE_LABELS[self.type]

    @property
    def display(self):
        """The column as a reader names it, with the key a file's header may use: 费用（fee）."""
        return with_code(str(self.label), self.key)

    def choices_display(self):
        """Every choice as its label with its code: 进行中（active）、已完成（completed）…"""
        return listing(with_code(str(label), code) for code, label in self.choices)

    def choice_label(self, code):
        """The label of a choice code in the reader's language (the code itself if unknown)."""
        return str(dict(self.choices).get(code, code))

    @property
    def chinese(self):
        """The first Chinese alias: the header the Chinese template uses."""
        return self.aliases[0] if self.aliases else self.key

    def choice_lookup(self):
        """{normalised spelling: code} for every accepted spelling of every choice."""
        if self.type == YESNO:
            return {
                normalise(spelling): value for value, spellings in YESNO_SPELLINGS.items() for spelling in spellings
            }
        lookup = {}
        for code, label in self.choices:
            spellings = {code, str(label), *self.choice_aliases.get(code, ())}
            for language in ("en", "zh-hans"):
                with translation.override(language):
                    spellings.add(str(label))
            for spelling in spellings:
                lookup[normalise(spelling)] = code
        return lookup

    def choice_spellings(self):
        """[(code, [accepted spellings])] for the pages and the docs."""
        return [(code, [str(label), *self.choice_aliases.get(code, ())]) for code, label in self.choices]


# The key cell of the example row in the Excel templates. A row whose key cell is exactly one of these is the
# template's example: left as it came, the import skips it; filled in with real values but still marked, it is
# refused, so a fake row is never imported and a real one never silently dropped (docs/import-formats.md).
EXAMPLE_MARKERS = ("示例行（导入时忽略）", "EXAMPLE ROW (ignored on import)")


def is_example_marker(value):
    return isinstance(value, str) and value.strip() in EXAMPLE_MARKERS


@dataclass(frozen=True)
class KindSpec:
    kind: str
    label: str
    key: str  # the natural key column
    columns: tuple[Column, ...]
    data_kind: bool = True  # False for staff: the people of the firm, not department data

    def column(self, key):
        return next(c for c in self.columns if c.key == key)

    def header_lookup(self):
        """{normalised header: column key} for the key, the English label and every alias."""
        lookup = {}
        for column in self.columns:
            spellings = {column.key, str(column.label), *column.aliases}
            with translation.override("en"):
                spellings.add(str(column.label))
            for spelling in spellings:
                lookup[normalise(spelling)] = column.key
        return lookup


_BRACKETS = re.compile(r"[(（\[【].*?[)）\]】]")
_SPACES = re.compile(r"[\s\-]+")


def normalise(text):
    """A header or choice as compared: no brackets, no required-marker stars, lower case, _ for spaces."""
    text = _BRACKETS.sub("", str(text)).replace("*", "").replace("＊", "").strip().lower()
    return _SPACES.sub("_", text)


# Every spelling a yes/no cell may use, in either language (and what spreadsheets write for a ticked box).
YESNO_SPELLINGS = {
    True: ("yes", "y", "true", "1", "是", "对", "√"),
    False: ("no", "n", "false", "0", "否", "不", "×"),
}

POSITION_ALIASES = {
    "lawyer": ("律师", "执业律师"),
    "assistant": ("助理", "律师助理"),
    "administrative": ("行政", "行政人员", "administrative", "admin"),
}
LANGUAGE_ALIASES = {
    "zh-hans": ("中文", "简体中文", "zh", "zh-cn", "chinese"),
    "en": ("英文", "英语", "english"),
}
CLIENT_KIND_ALIASES = {
    "individual": ("个人", "自然人", "person"),
    "organisation": ("单位", "机构", "组织", "企业", "公司", "organization", "company"),
}
CONTRACT_STATUS_ALIASES = {
    "active": ("履行中", "进行中", "有效"),
    "completed": ("已完成", "完成", "已结案", "结案"),
    "terminated": ("已终止", "终止", "解除", "已解除"),
}
COMPLAINT_CHANNEL_ALIASES = {
    "phone": ("电话",),
    "email": ("邮件", "电子邮件", "e-mail"),
    "letter": ("信函", "来信"),
    "in_person": ("当面", "来访", "现场", "in person"),
    "web": ("网络", "网站", "线上"),
}
SURVEY_CHANNEL_ALIASES = {
    "phone": ("电话回访", "电话"),
    "questionnaire": ("问卷", "纸质问卷", "调查问卷"),
    "web": ("网络问卷", "在线问卷", "网上问卷"),
}

DEPARTMENT_KIND_ALIASES = {
    "business": ("业务部", "市场部"),
    "administrative": ("行政部", "行政"),
    "finance": ("财务部", "财务"),
    "practice": ("业务组", "执业团队", "律师团队"),
}

# clients.selectors.contract_lawyer_refusals: the entry form's rule, which the import applies too.
LAWYER_RULE = _("A lawyer: not an assistant or administrative staff. Someone already on the contract may stay.")

KINDS = {
    "staff": KindSpec(
        kind="staff",
        label=_("Staff"),
        key="username",
        data_kind=False,
        columns=(
            Column(
                "username",
                _("Username"),
                ("用户名", "账号", "登录名"),
                max_length=150,
                rule=_("Letters, digits and @ . + - _ only; identifies the person on re-import."),
                example="chenjing",
            ),
            Column("full_name", _("Full name"), ("姓名",), max_length=100, example="陈静"),
            Column(
                "email",
                _("E-mail"),
                ("邮箱", "电子邮箱", "电子邮件"),
                type=EMAIL,
                max_length=254,
                rule=_("New people receive their invitation here."),
                example="chenjing@firm.example",
            ),
            Column(
                "position",
                _("Position"),
                ("职位", "岗位"),
                type=CHOICE,
                choices=tuple(Position.choices),
                choice_aliases=POSITION_ALIASES,
                example="律师",
            ),
            Column("department", _("Department"), ("部门", "所属部门"), type=REF, ref="department", example="lit"),
            Column(
                "superior",
                _("Direct superior"),
                ("直接上级", "上级"),
                type=REF,
                ref="staff",
                blank=True,
                rule=_(
                    "Username; may be someone further down in the same file. Empty: no superior. "
                    "The reporting line must not loop."
                ),
                example="zhouqiang",
            ),
            Column(
                "language",
                _("Preferred language"),
                ("语言", "首选语言"),
                type=CHOICE,
                required=False,
                blank=True,
                choices=tuple(Language.choices),
                choice_aliases=LANGUAGE_ALIASES,
                rule=_("Empty: Simplified Chinese for new people, unchanged for existing ones."),
                example="zh-hans",
            ),
            Column(
                "assessed",
                _("Assessed"),
                ("参加考核", "是否考核", "考核"),
                type=YESNO,
                required=False,
                blank=True,
                rule=_(
                    "No for partners and the director, who are not assessed (regulation 1.2). "
                    "Empty: yes for new people, unchanged for existing ones."
                ),
                example="是",
            ),
            Column(
                "clerk_duties",
                _("Data duties"),
                ("数据报送部门", "数据职责", "报送部门"),
                type=CODES,
                required=False,
                blank=True,
                rule=_(
                    "The departments whose data this person delivers (regulation 2.3). "
                    "Column present and cell empty: none."
                ),
                example="",
            ),
            Column(
                "execution",
                _("Execution group"),
                ("执行小组", "考核执行小组"),
                type=YESNO,
                required=False,
                blank=True,
                rule=_(
                    "Member of the execution group (regulation 2.2). Empty: no for new people, unchanged for "
                    "existing ones. Leadership membership is never imported: a leadership member grants it on the "
                    "People page (regulation 2.1)."
                ),
                example="否",
            ),
        ),
    ),
    "departments": KindSpec(
        kind="departments",
        label=_("Departments"),
        key="code",
        data_kind=False,
        columns=(
            Column(
                "code",
                _("Department code"),
                ("部门代码", "部门编号", "代码"),
                max_length=32,
                rule=_("Letters, digits, - and _ only; identifies the department on re-import and in the staff file."),
                example="lit",
            ),
            Column("name", _("Chinese name"), ("部门名称", "中文名称", "名称"), max_length=100, example="诉讼业务组"),
            Column(
                "name_en",
                _("English name"),
                ("英文名称",),
                required=False,
                blank=True,
                max_length=100,
                rule=_(
                    "Empty: the Chinese name. Column left out: the Chinese name for new departments, unchanged for "
                    "existing ones."
                ),
                example="Litigation Group",
            ),
            Column(
                "kind",
                _("Department kind"),
                ("部门类型", "类型"),
                type=CHOICE,
                choices=tuple(DepartmentKind.choices),
                choice_aliases=DEPARTMENT_KIND_ALIASES,
                example="业务组",
            ),
        ),
    ),
    "clients": KindSpec(
        kind="clients",
        label=_("Clients"),
        key="code",
        columns=(
            Column("code", _("Client code"), ("客户编号", "客户代码"), max_length=40, example="C0001"),
            Column(
                "name", _("Client name"), ("客户名称", "客户姓名", "名称"), max_length=200, example="华信科技有限公司"
            ),
            Column(
                "kind",
                _("Client kind"),
                ("客户类型", "类型"),
                type=CHOICE,
                choices=tuple(Client.Kind.choices),
                choice_aliases=CLIENT_KIND_ALIASES,
                example="单位",
            ),
            Column(
                "referred_by",
                _("Referred by"),
                ("推荐客户", "推荐客户编号", "介绍客户"),
                type=REF,
                ref="client",
                required=False,
                blank=True,
                rule=_("Code of the referring client, which may be in the same file; not the client itself."),
                example="C0017",
            ),
            Column(
                "email",
                _("Contact e-mail"),
                ("联系邮箱", "邮箱"),
                type=EMAIL,
                required=False,
                blank=True,
                max_length=254,
                example="legal@huaxin.example",
            ),
            Column(
                "phone",
                _("Contact phone"),
                ("联系电话", "电话"),
                required=False,
                blank=True,
                max_length=40,
                example="+86 10 8888 6666",
            ),
        ),
    ),
    "contracts": KindSpec(
        kind="contracts",
        label=_("Engagement contracts"),
        key="number",
        columns=(
            Column("number", _("Contract number"), ("合同编号", "委托合同编号"), max_length=40, example="HT-2026-0001"),
            Column("client", _("Client"), ("客户编号", "客户"), type=REF, ref="client", example="C0001"),
            Column("signed_on", _("Signed on"), ("签约日期", "签订日期"), type=DATE, example="2026-01-15"),
            Column(
                "originating_lawyer",
                _("Originating lawyer"),
                ("案源律师",),
                type=REF,
                ref="staff",
                rule=LAWYER_RULE,
                example="chenjing",
            ),
            Column(
                "responsible_lawyer",
                _("Responsible lawyer"),
                ("承办律师", "主办律师"),
                type=REF,
                ref="staff",
                rule=LAWYER_RULE,
                example="liuyang",
            ),
            Column("matter", _("Matter"), ("案由", "委托事项", "案件名称"), max_length=300, example="买卖合同纠纷"),
            Column(
                "fee",
                _("Fee"),
                ("律师费", "合同金额", "金额"),
                type=DECIMAL,
                sign="not_negative",
                rule=_("Not negative; thousands separators and ¥ are allowed."),
                example="120000.00",
            ),
            Column(
                "status",
                _("Status"),
                ("状态", "合同状态"),
                type=CHOICE,
                required=False,
                blank=True,
                choices=tuple(Contract.Status.choices),
                choice_aliases=CONTRACT_STATUS_ALIASES,
                rule=_("Empty: active for new contracts, unchanged for existing ones."),
                example="履行中",
            ),
            Column(
                "closed_on",
                _("Closed on"),
                ("结案日期", "终止日期", "完结日期"),
                type=DATE,
                required=False,
                blank=True,
                rule=_("Not before the signing date."),
                example="",
            ),
        ),
    ),
    "revenue": KindSpec(
        kind="revenue",
        label=_("Revenue entries"),
        key="ref",
        columns=(
            Column("ref", _("Reference"), ("收款编号", "流水号", "收款流水号"), max_length=40, example="SK-2026-00001"),
            Column("contract", _("Contract"), ("合同编号",), type=REF, ref="contract", example="HT-2026-0001"),
            Column("received_on", _("Received on"), ("收款日期", "到账日期"), type=DATE, example="2026-02-03"),
            Column(
                "amount",
                _("Amount"),
                ("金额", "收款金额"),
                type=DECIMAL,
                sign="positive",
                rule=_("Greater than zero; thousands separators and ¥ are allowed."),
                example="50000.00",
            ),
            Column(
                "credited_to",
                _("Credited to"),
                ("归属律师", "业绩归属", "业绩归属人"),
                type=REF,
                ref="staff",
                example="chenjing",
            ),
        ),
    ),
    "complaints": KindSpec(
        kind="complaints",
        label=_("Complaints"),
        key="ref",
        columns=(
            Column("ref", _("Reference"), ("投诉编号",), max_length=40, example="TS-2026-001"),
            Column("client", _("Client"), ("客户编号", "客户"), type=REF, ref="client", example="C0001"),
            Column("about", _("About"), ("被投诉人", "投诉对象"), type=REF, ref="staff", example="liuyang"),
            Column(
                "received_at",
                _("Received at"),
                ("收到时间", "投诉时间", "受理时间"),
                type=DATETIME,
                example="2026-03-02 09:30",
            ),
            Column(
                "handler",
                _("Handler"),
                ("处理人",),
                type=REF,
                ref="staff",
                blank=True,
                rule=_("Empty while nobody handles it yet."),
                example="zhaomin",
            ),
            Column(
                "handled_at",
                _("Handled at"),
                ("处理时间", "处理完成时间", "办结时间"),
                type=DATETIME,
                blank=True,
                rule=_("Not before it was received; empty while the complaint is open."),
                example="2026-03-03 16:00",
            ),
            Column(
                "resolution",
                _("Resolution"),
                ("处理结果", "处理意见"),
                blank=True,
                example="已与客户沟通并调整承办团队",
            ),
            Column(
                "channel",
                _("Channel"),
                ("投诉渠道", "渠道"),
                type=CHOICE,
                required=False,
                blank=True,
                choices=tuple(Complaint.Channel.choices),
                choice_aliases=COMPLAINT_CHANNEL_ALIASES,
                rule=_("Empty: phone for new complaints, unchanged for existing ones."),
                example="电话",
            ),
        ),
    ),
    "surveys": KindSpec(
        kind="surveys",
        label=_("Satisfaction surveys"),
        key="ref",
        columns=(
            Column("ref", _("Reference"), ("调查编号", "问卷编号", "回访编号"), max_length=40, example="MY-2026-001"),
            Column("client", _("Client"), ("客户编号", "客户"), type=REF, ref="client", example="C0001"),
            Column(
                "staff", _("Staff"), ("被评价人员", "被评价律师", "律师"), type=REF, ref="staff", example="chenjing"
            ),
            Column("surveyed_on", _("Surveyed on"), ("调查日期", "回访日期"), type=DATE, example="2026-03-20"),
            Column(
                "channel",
                _("Channel"),
                ("调查方式", "渠道"),
                type=CHOICE,
                choices=tuple(SatisfactionSurvey.Channel.choices),
                choice_aliases=SURVEY_CHANNEL_ALIASES,
                example="电话回访",
            ),
            Column("service_quality", _("Service quality"), ("服务质量",), type=SCORE, example="5"),
            Column("communication", _("Communication efficiency"), ("沟通效率",), type=SCORE, example="4"),
            Column("outcome", _("Case outcome"), ("案件结果", "办案结果"), type=SCORE, example="4"),
            Column("comment", _("Comment"), ("意见", "备注", "评价"), blank=True, example="回复及时"),
        ),
    ),
}

# Departments first: the staff file names them.
KIND_ORDER = ("departments", "staff", "clients", "contracts", "revenue", "complaints", "surveys")


def spec_for(kind):
    """The KindSpec of a kind, or None when there is no such import."""
    return KINDS.get(kind)
