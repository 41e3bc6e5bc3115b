"""The demo firm: a deterministic, realistic firm with a few years of department data to try the product on.

`demo_firm_plan` is pure (a seeded random.Random over the reference date, no ORM, no clock) and returns plain
rows; `demo_firm_seed` writes them in one transaction with bulk inserts.
"""

import datetime
import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.conf import settings
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import ProtectedError, Q, RestrictedError

from clients.models import ChangeRecord, Client, Complaint, Contract, RevenueEntry, SatisfactionSurvey
from reviews.models import (
    EXECUTION_GROUP,
    LEADERSHIP_GROUP,
    Department,
    DepartmentKind,
    Language,
    Position,
    Quarter,
    StaffChange,
    StaffProfile,
)
from reviews.staff_changes import staff_changes_by

# The demo firm's published password (README): demo data only, never a real account.
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105
EMAIL_DOMAIN = "lawfirm.example"
# Quarters of history simulated before the current one: the scoring look-back window is 8 quarters, and a few
# older years make clients that are neither new nor "existing" when they come back.
HISTORY_QUARTERS = 12
# Complaints and surveys are simulated for the look-back window only.
FEEDBACK_QUARTERS = 8

DEPARTMENTS = [
    # code, Chinese name, English name, kind
    ("lit", "诉讼业务组", "Litigation Group", DepartmentKind.PRACTICE),
    ("corp", "公司与商事业务组", "Corporate & Commercial Group", DepartmentKind.PRACTICE),
    ("ip", "知识产权业务组", "Intellectual Property Group", DepartmentKind.PRACTICE),
    ("biz", "业务部", "Business Department", DepartmentKind.BUSINESS),
    ("adm", "行政部", "Administrative Department", DepartmentKind.ADMINISTRATIVE),
    ("fin", "财务部", "Finance Department", DepartmentKind.FINANCE),
]

L, A, S = Position.LAWYER, Position.ASSISTANT, Position.ADMINISTRATIVE
# username, full name, position, department, direct superior, performance tier, language, role note.
# Tiers make the people different: A strong, B solid, C average, D weak ("P" partners, "-" not a case handler).
STAFF = [
    # Regulation 二.1: the partners form the leadership group and are not assessed; 王建国 is also the director.
    ("partner", "王建国", L, "lit", None, "P", "zh-hans", "director"),
    ("lizhiming", "李志明", L, "corp", None, "P", "zh-hans", "partner"),
    ("zhangweidong", "张卫东", L, "ip", None, "P", "zh-hans", "partner"),
    # Regulation 二.2: the administrative supervisor leads the execution group.
    ("executor", "赵敏", S, "adm", "partner", "B", "zh-hans", "supervisor"),
    ("admclerk", "李娜", S, "adm", "executor", "A", "zh-hans", "clerk"),
    ("heting", "何婷", S, "adm", "executor", "D", "zh-hans", ""),
    ("bizclerk", "钱芳", S, "biz", "executor", "-", "zh-hans", "clerk"),
    ("machao", "马超", S, "biz", "executor", "-", "zh-hans", ""),
    ("finclerk", "孙丽", S, "fin", "executor", "-", "zh-hans", "clerk"),
    ("luolin", "罗琳", S, "fin", "executor", "-", "en", ""),
    # Group heads: senior lawyers reporting to a partner.
    ("senior", "周强", L, "lit", "partner", "B", "zh-hans", "head"),
    ("wutao", "吴涛", L, "corp", "lizhiming", "A", "zh-hans", "head"),
    ("zhenghaiyan", "郑海燕", L, "ip", "zhangweidong", "C", "en", "head"),
    ("lawyer", "陈静", L, "lit", "senior", "B", "zh-hans", ""),
    ("liuyang", "刘洋", L, "lit", "senior", "A", "en", ""),
    ("huanglei", "黄磊", L, "lit", "senior", "C", "zh-hans", ""),
    ("xuli", "徐丽", L, "lit", "senior", "C", "zh-hans", ""),
    ("zhuwenbo", "朱文博", L, "lit", "senior", "A", "zh-hans", ""),
    ("guojia", "郭佳", L, "lit", "senior", "B", "zh-hans", ""),
    ("linfeng", "林峰", L, "lit", "senior", "D", "zh-hans", ""),
    ("gaoyuan", "高远", L, "corp", "wutao", "A", "zh-hans", ""),
    ("songyu", "宋雨", L, "corp", "wutao", "B", "zh-hans", ""),
    ("tangjie", "唐杰", L, "corp", "wutao", "C", "zh-hans", ""),
    ("hanxue", "韩雪", L, "corp", "wutao", "B", "zh-hans", ""),
    ("fengkai", "冯凯", L, "corp", "wutao", "D", "zh-hans", ""),
    ("caoyue", "曹悦", L, "corp", "wutao", "C", "en", ""),
    ("dengliang", "邓亮", L, "ip", "zhenghaiyan", "B", "zh-hans", ""),
    ("xiaohong", "肖红", L, "ip", "zhenghaiyan", "A", "zh-hans", ""),
    ("chengpeng", "程鹏", L, "ip", "zhenghaiyan", "C", "zh-hans", ""),
    ("yuanmei", "袁梅", L, "ip", "zhenghaiyan", "D", "zh-hans", ""),
    ("panjun", "潘军", L, "ip", "zhenghaiyan", "B", "zh-hans", ""),
    ("assistant", "杨光", A, "lit", "senior", "B", "zh-hans", ""),
    ("yelan", "叶兰", A, "lit", "senior", "A", "zh-hans", ""),
    ("jiangtao", "蒋涛", A, "corp", "wutao", "D", "zh-hans", ""),
    ("sumin", "苏敏", A, "corp", "wutao", "B", "en", ""),
    ("luming", "陆明", A, "ip", "zhenghaiyan", "C", "zh-hans", ""),
    ("weiwei", "魏薇", A, "ip", "zhenghaiyan", "A", "zh-hans", ""),
]
# Regulation 二.2: the execution group is the administrative supervisor and two senior lawyers.
EXECUTION_MEMBERS = ("executor", "wutao", "zhenghaiyan")
CLERKS = {"biz": "bizclerk", "fin": "finclerk", "adm": "admclerk"}
DEMO_USERNAMES = tuple(row[0] for row in STAFF)


@dataclass(frozen=True)
class Tier:
    new_clients: float  # mean new clients originated per quarter
    repeat: float  # chance an existing client signs again in a quarter
    referral: float  # chance a new client was referred by one of the person's existing clients
    satisfaction: float  # mean survey score, 1–5
    complaints: float  # mean complaints about the person per quarter
    in_time: float  # chance a complaint they handle is handled within 48 hours


def at_hour(day, hour=10):
    """A moment of the demo's timetable: the day at the hour, in the firm's zone (Asia/Shanghai)."""
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=ZoneInfo(settings.TIME_ZONE))


def on_day(day, hour=10):
    """Run a step of the demo's story at its moment: the services stamp what they write (approvals, the basis,
    computed results, notices, role changes) with the clock, and the story's clock is that day's. The clock keeps
    ticking from there, so steps stay in order."""
    return time_machine.travel(at_hour(day, hour), tick=True)


TIERS = {
    "A": Tier(new_clients=5.5, repeat=0.09, referral=0.35, satisfaction=4.65, complaints=0.08, in_time=0.95),
    "B": Tier(new_clients=3.2, repeat=0.06, referral=0.18, satisfaction=4.25, complaints=0.3, in_time=0.85),
    "C": Tier(new_clients=2.0, repeat=0.035, referral=0.08, satisfaction=3.85, complaints=0.6, in_time=0.7),
    "D": Tier(new_clients=0.7, repeat=0.015, referral=0.0, satisfaction=3.0, complaints=1.7, in_time=0.45),
    "P": Tier(new_clients=1.2, repeat=0.03, referral=0.1, satisfaction=4.5, complaints=0.0, in_time=0.9),
}

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁沈任"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN_CHARS = (
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉萍红玲兰飞鹏辉建国文斌宇浩凯俊峰晨颖婷雪琳晶欣"
    "佳怡嘉倩瑶梦涵子轩博思雨欣然一诺泽宇梓萱志远海燕春梅冬云德才永胜秋月慧新宁波"
)
# City and its telephone area code.
CITIES = [
    ("上海", "021"),
    ("上海", "021"),
    ("上海", "021"),
    ("北京", "010"),
    ("杭州", "0571"),
    ("苏州", "0512"),
    ("南京", "025"),
    ("深圳", "0755"),
    ("广州", "020"),
    ("宁波", "0574"),
    ("无锡", "0510"),
    ("合肥", "0551"),
    ("成都", "028"),
    ("武汉", "027"),
]
BRANDS = [
    ("宏达", "hongda"),
    ("华信", "huaxin"),
    ("鼎盛", "dingsheng"),
    ("远航", "yuanhang"),
    ("新锐", "xinrui"),
    ("金桥", "jinqiao"),
    ("天合", "tianhe"),
    ("恒通", "hengtong"),
    ("博雅", "boya"),
    ("安泰", "antai"),
    ("瑞丰", "ruifeng"),
    ("东方明珠", "dfmz"),
    ("锦程", "jincheng"),
    ("海纳", "haina"),
    ("启明", "qiming"),
    ("盛世", "shengshi"),
    ("中联", "zhonglian"),
    ("永辉", "yonghui"),
    ("百川", "baichuan"),
    ("嘉禾", "jiahe"),
    ("优品", "youpin"),
    ("云帆", "yunfan"),
    ("星河", "xinghe"),
    ("卓越", "zhuoyue"),
    ("立信", "lixin"),
]
INDUSTRIES = [
    "科技",
    "贸易",
    "实业",
    "建设工程",
    "生物医药",
    "文化传媒",
    "餐饮管理",
    "物流",
    "电子",
    "投资管理",
    "食品",
    "服饰",
    "新能源",
    "软件",
    "机械制造",
    "房地产开发",
    "教育科技",
    "供应链管理",
]
COMPANY_SUFFIXES = ["有限公司", "有限公司", "有限公司", "股份有限公司"]

# Matters by practice group and client kind: (matter, fee range in yuan, duration range in days).
MATTERS = {
    ("lit", Client.Kind.INDIVIDUAL): [
        ("离婚纠纷诉讼", (15_000, 80_000), (90, 360)),
        ("劳动争议仲裁", (8_000, 30_000), (60, 240)),
        ("民间借贷纠纷诉讼", (10_000, 60_000), (90, 300)),
        ("机动车交通事故责任纠纷", (8_000, 40_000), (90, 300)),
        ("房屋买卖合同纠纷诉讼", (20_000, 120_000), (120, 420)),
        ("继承纠纷诉讼", (15_000, 90_000), (120, 420)),
    ],
    ("lit", Client.Kind.ORGANISATION): [
        ("买卖合同纠纷诉讼", (30_000, 300_000), (120, 480)),
        ("建设工程施工合同纠纷", (80_000, 500_000), (180, 540)),
        ("借款合同纠纷诉讼", (40_000, 250_000), (120, 420)),
        ("股东知情权纠纷", (50_000, 200_000), (120, 360)),
        ("劳动争议仲裁（用人单位）", (20_000, 80_000), (60, 240)),
        ("执行异议之诉", (40_000, 180_000), (90, 300)),
    ],
    ("corp", Client.Kind.INDIVIDUAL): [
        ("股权代持协议起草", (10_000, 50_000), (20, 90)),
        ("家族财富传承规划", (50_000, 200_000), (60, 240)),
        ("个人投资协议审阅", (8_000, 40_000), (15, 60)),
    ],
    ("corp", Client.Kind.ORGANISATION): [
        ("股权收购尽职调查", (120_000, 800_000), (30, 150)),
        ("常年法律顾问服务", (60_000, 300_000), (365, 365)),
        ("公司设立与章程起草", (20_000, 80_000), (20, 75)),
        ("股权激励方案设计", (80_000, 300_000), (45, 150)),
        ("企业合规审查", (60_000, 260_000), (45, 180)),
        ("融资协议审阅", (50_000, 200_000), (20, 90)),
        ("企业并购交易", (300_000, 1_200_000), (90, 300)),
    ],
    ("ip", Client.Kind.INDIVIDUAL): [
        ("著作权登记与维权", (5_000, 40_000), (45, 240)),
        ("商标注册申请", (3_000, 15_000), (60, 300)),
        ("专利申请代理", (8_000, 30_000), (90, 360)),
    ],
    ("ip", Client.Kind.ORGANISATION): [
        ("商标侵权诉讼", (50_000, 300_000), (150, 480)),
        ("商标注册与异议", (10_000, 60_000), (90, 360)),
        ("专利无效宣告", (60_000, 250_000), (120, 420)),
        ("著作权侵权纠纷", (30_000, 200_000), (120, 420)),
        ("商业秘密保护顾问", (50_000, 180_000), (90, 300)),
        ("知识产权许可协议", (30_000, 150_000), (30, 120)),
    ],
}
# Share of a practice group's new clients who are individuals.
INDIVIDUAL_SHARE = {"lit": 0.5, "corp": 0.15, "ip": 0.3}

COMPLAINT_TOPICS = [
    "案件进展未及时告知",
    "律师回复邮件过慢",
    "对收费明细有疑问",
    "开庭前沟通不充分",
    "文件递交延误",
    "电话多次无人接听",
    "对代理意见不满意",
    "会面时间一再改期",
]
RESOLUTIONS = [
    "已与客户电话沟通并致歉，承办律师当日补充报告案件进展。",
    "已核对收费明细并书面回复客户，客户表示理解。",
    "安排组长与客户面谈，调整沟通频率为每周一次。",
    "已补交相关文件，并向客户说明延误原因。",
    "更换联系人并建立固定回复时限，客户接受处理结果。",
]
SURVEY_COMMENTS_GOOD = [
    "律师很专业，沟通及时。",
    "服务周到，结果满意。",
    "响应迅速，解释清楚。",
    "非常感谢团队的付出。",
]
SURVEY_COMMENTS_BAD = ["回复太慢，需要多次催促。", "对案件进展了解不够。", "希望沟通更主动一些。"]


@dataclass
class PersonRow:
    username: str
    full_name: str
    position: str
    department: str
    superior: str | None
    tier: str
    language: str
    note: str

    @property
    def assessed(self):
        return self.tier != "P"


@dataclass
class ClientRow:
    key: int
    name: str
    kind: str
    email: str
    phone: str
    created_on: datetime.date
    referred_by: int | None = None
    code: str = ""


@dataclass
class ContractRow:
    key: int
    client: int
    signed_on: datetime.date
    originating: str
    responsible: str
    matter: str
    fee: Decimal
    status: str
    closed_on: datetime.date | None
    number: str = ""


@dataclass
class RevenueRow:
    contract: int
    received_on: datetime.date
    amount: Decimal
    credited_to: str
    ref: str = ""


@dataclass
class ComplaintRow:
    client: int
    about: str
    received_at: datetime.datetime
    handler: str
    handled_at: datetime.datetime | None
    resolution: str
    channel: str
    ref: str = ""


@dataclass
class SurveyRow:
    client: int
    staff: str
    surveyed_on: datetime.date
    channel: str
    service_quality: int
    communication: int
    outcome: int
    comment: str
    ref: str = ""


@dataclass
class DemoPlan:
    today: datetime.date
    people: list[PersonRow]
    clients: list[ClientRow] = field(default_factory=list)
    contracts: list[ContractRow] = field(default_factory=list)
    revenue: list[RevenueRow] = field(default_factory=list)
    complaints: list[ComplaintRow] = field(default_factory=list)
    surveys: list[SurveyRow] = field(default_factory=list)
    quarters: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class SeedResult:
    created: bool
    today: datetime.date
    counts: dict[str, int] = field(default_factory=dict)
    per_quarter: dict[str, dict[str, int]] = field(default_factory=dict)


# --- Quarter arithmetic on indexes (year * 4 + number - 1) -------------------------------------------------


def _quarter_index(day):
    year, number = Quarter.containing(day)
    return year * 4 + number - 1


def _quarter_of(index):
    return index // 4, index % 4 + 1


def _quarter_bounds(index):
    return Quarter.bounds(*_quarter_of(index))


def completed_quarters(today, count=4):
    """(year, number) of the last `count` completed quarters before the one containing `today`, oldest first."""
    current = _quarter_index(today)
    return [_quarter_of(index) for index in range(current - count, current)]


# --- The plan ------------------------------------------------------------------------------------------------


class _Planner:
    """Simulates the firm quarter by quarter; every draw comes from one seeded random.Random."""

    def __init__(self, today):
        self.today = today
        self.rng = random.Random(f"lawfirm-kpi-demo-{today.isoformat()}")
        self.tz = ZoneInfo(settings.TIME_ZONE)
        self.now = datetime.datetime.combine(today, datetime.time(18, 0), tzinfo=self.tz)
        self.people = [PersonRow(*row) for row in STAFF]
        self.by_username = {person.username: person for person in self.people}
        self.lawyers_by_group = defaultdict(list)
        for person in self.people:
            if person.position == Position.LAWYER and person.assessed:
                self.lawyers_by_group[person.department].append(person.username)
        self.clients: list[ClientRow] = []
        self.contracts: list[ContractRow] = []
        self.client_names: set[str] = set()
        # username -> [(client key, signed_on)] of contracts where the person is originating or responsible.
        self.engagements = defaultdict(list)

    # Small random helpers --------------------------------------------------------------------------------

    def steady(self, mean):
        """A count near `mean` with little spread: a person's habits vary less than a Poisson draw would."""
        count = int(mean) + (self.rng.random() < mean - int(mean))
        jitter = self.rng.random()
        if jitter < 0.15:
            count += 1
        elif jitter < 0.3 and count > 0:
            count -= 1
        return count

    def day_in(self, start, end):
        """A random day in [start, end], never after the reference date; None if empty."""
        end = min(end, self.today)
        if end < start:
            return None
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def money(self, low, high, unit=1000):
        # Fees cluster at the low end of a range, as in any practice.
        value = low + (high - low) * self.rng.random() ** 2
        return Decimal(int(value // unit * unit) or unit)

    def person_name(self):
        given = "".join(self.rng.choice(GIVEN_CHARS) for _ in range(self.rng.choice((1, 2, 2))))
        return self.rng.choice(SURNAMES) + given

    # Clients and contracts ------------------------------------------------------------------------------

    def new_client(self, group, signed_on, referred_by=None):
        kind = Client.Kind.INDIVIDUAL if self.rng.random() < INDIVIDUAL_SHARE[group] else Client.Kind.ORGANISATION
        key = len(self.clients) + 1
        for _ in range(100):
            if kind == Client.Kind.INDIVIDUAL:
                name = self.person_name()
                handle = f"client{key:04d}"
            else:
                brand, pinyin = self.rng.choice(BRANDS)
                city, area_code = self.rng.choice(CITIES)
                name = city + brand + self.rng.choice(INDUSTRIES) + self.rng.choice(COMPANY_SUFFIXES)
                handle = f"legal.{pinyin}{key}"
            if name not in self.client_names:
                break
        self.client_names.add(name)
        if kind == Client.Kind.INDIVIDUAL:
            phone = f"1{self.rng.choice('3589')}{self.rng.randint(0, 999_999_999):09d}"
            email = f"{handle}@mail.example" if self.rng.random() < 0.6 else ""
        else:
            phone = f"{area_code}-{self.rng.randint(5000_0000, 6999_9999)}"
            email = f"{handle}@corp.example"
        created_on = signed_on - datetime.timedelta(days=self.rng.randint(0, 21))
        client = ClientRow(key, name, kind, email, phone, created_on, referred_by)
        self.clients.append(client)
        return client

    def add_contract(self, client, signed_on, originating, responsible):
        group = self.by_username[responsible].department
        kind = self.clients[client - 1].kind
        matter, fees, days = self.rng.choice(MATTERS[(group, kind)])
        fee = self.money(*fees)
        duration = self.rng.randint(*days)
        closed_on = signed_on + datetime.timedelta(days=duration)
        status = Contract.Status.ACTIVE
        if self.rng.random() < 0.05:
            # Terminated early: the client withdrew or settled.
            closed_on = signed_on + datetime.timedelta(days=max(1, duration // self.rng.randint(2, 5)))
            status = Contract.Status.TERMINATED if closed_on <= self.today else Contract.Status.ACTIVE
        elif closed_on <= self.today:
            status = Contract.Status.COMPLETED
        if status == Contract.Status.ACTIVE:
            closed_on = None
        contract = ContractRow(
            len(self.contracts) + 1, client, signed_on, originating, responsible, matter, fee, status, closed_on
        )
        self.contracts.append(contract)
        for username in {originating, responsible}:
            self.engagements[username].append((client, signed_on))
        return contract

    def responsible_for(self, originating, own_share=0.7):
        person = self.by_username[originating]
        colleagues = self.lawyers_by_group[person.department]
        if person.assessed and self.rng.random() < own_share:
            return originating
        return self.rng.choice([name for name in colleagues if name != originating] or colleagues)

    def existing_clients(self, username, index):
        """Clients with a contract signed in the 8 quarters before quarter `index` with the person on it."""
        window_start = _quarter_bounds(index - 8)[0]
        quarter_start = _quarter_bounds(index)[0]
        seen = {}
        for client, signed_on in self.engagements[username]:
            if window_start <= signed_on < quarter_start:
                seen[client] = True
        return list(seen)

    def simulate_contracts(self, first, last):
        originators = [p for p in self.people if p.position == Position.LAWYER]
        for index in range(first, last + 1):
            start, end = _quarter_bounds(index)
            # The firm grew: the oldest year had fewer new clients.
            growth = 0.6 if index < last - 8 else 1.0
            signed_again = set()
            for person in originators:
                tier = TIERS[person.tier]
                existing = self.existing_clients(person.username, index)
                # Repeat engagements: existing clients signing again (regulation 三.2 重复委托率).
                for client in existing:
                    if client in signed_again or self.rng.random() >= tier.repeat:
                        continue
                    signed_on = self.day_in(start, end)
                    if signed_on is None:
                        continue
                    signed_again.add(client)
                    self.add_contract(client, signed_on, person.username, self.responsible_for(person.username, 0.8))
                # New clients: their first contract with the firm (regulation 三.2 新客户数量).
                for _ in range(self.steady(tier.new_clients * growth)):
                    signed_on = self.day_in(start, end)
                    if signed_on is None:
                        continue
                    referrer = None
                    if existing and self.rng.random() < tier.referral:
                        referrer = self.rng.choice(existing)
                    client = self.new_client(person.department, signed_on, referrer)
                    self.add_contract(client.key, signed_on, person.username, self.responsible_for(person.username))

    # Revenue -------------------------------------------------------------------------------------------

    def simulate_revenue(self):
        revenue = []
        for contract in self.contracts:
            if contract.matter == "常年法律顾问服务":
                parts = [(Decimal("0.25"), 91 * i + self.rng.randint(0, 20)) for i in range(4)]
            else:
                expected_end = contract.closed_on or contract.signed_on + datetime.timedelta(days=200)
                span = max(1, (expected_end - contract.signed_on).days)
                plan = self.rng.choice(("once", "two", "two", "three"))
                if plan == "once":
                    parts = [(Decimal("1"), self.rng.randint(0, 30))]
                elif plan == "two":
                    parts = [
                        (Decimal("0.6"), self.rng.randint(0, 20)),
                        (Decimal("0.4"), span + self.rng.randint(0, 30)),
                    ]
                else:
                    parts = [
                        (Decimal("0.4"), self.rng.randint(0, 20)),
                        (Decimal("0.3"), span // 2 + self.rng.randint(0, 15)),
                        (Decimal("0.3"), span + self.rng.randint(0, 30)),
                    ]
            if contract.status == Contract.Status.TERMINATED:
                parts = parts[:1]
            paid = Decimal(0)
            for number, (share, offset) in enumerate(parts):
                last = number == len(parts) - 1 and contract.status != Contract.Status.TERMINATED
                amount = (contract.fee - paid) if last else (contract.fee * share).quantize(Decimal("1"))
                paid += amount
                received_on = contract.signed_on + datetime.timedelta(days=offset)
                if amount <= 0 or received_on > self.today:
                    continue
                credited = contract.responsible
                originator = self.by_username[contract.originating]
                if contract.originating != contract.responsible and originator.assessed and self.rng.random() < 0.2:
                    credited = contract.originating
                revenue.append(RevenueRow(contract.key, received_on, amount.quantize(Decimal("0.01")), credited))
        return revenue

    # Feedback: complaints and surveys ---------------------------------------------------------------------

    def served(self, index):
        """username -> client keys with a contract of theirs active in quarter `index` (sorted, stable)."""
        start, end = _quarter_bounds(index)
        served = defaultdict(dict)
        for contract in self.contracts:
            if contract.signed_on <= min(end, self.today) and (
                contract.closed_on is None or contract.closed_on >= start
            ):
                served[contract.responsible][contract.client] = True
                served[contract.originating][contract.client] = True
        return {username: list(clients) for username, clients in served.items()}

    def moment_in(self, day):
        return datetime.datetime.combine(
            day, datetime.time(self.rng.randint(9, 17), self.rng.choice((0, 15, 30, 45))), tzinfo=self.tz
        )

    def simulate_feedback(self, first, last):
        complaints, surveys = [], []
        heads = {p.department: p.username for p in self.people if p.note == "head"}
        admin_handlers = ["admclerk", "admclerk", "heting", "heting", "executor"]
        case_staff = [p for p in self.people if p.assessed and p.position in (Position.LAWYER, Position.ASSISTANT)]
        for index in range(first, last + 1):
            start, end = _quarter_bounds(index)
            served = self.served(index)
            for person in case_staff:
                tier = TIERS[person.tier]
                if person.position == Position.ASSISTANT:
                    # An assistant works on their group's matters.
                    pool = {}
                    for lawyer in self.lawyers_by_group[person.department]:
                        pool.update(dict.fromkeys(served.get(lawyer, [])))
                    clients = list(pool)
                else:
                    clients = served.get(person.username, [])
                if not clients:
                    continue
                for _ in range(self.steady(tier.complaints)):
                    day = self.day_in(start, end)
                    if day is None:
                        continue
                    received_at = self.moment_in(day)
                    if received_at > self.now:
                        continue
                    head = heads[person.department]
                    handler = head if person.username != head and self.rng.random() < 0.35 else None
                    handler = handler or self.rng.choice(admin_handlers)
                    handled_at = None
                    # A few complaints stay open; the handler's habits decide whether the rest meet 48 hours.
                    if index < last - 1 or self.rng.random() >= 0.12:
                        if self.rng.random() < TIERS[self.by_username[handler].tier].in_time:
                            delay = datetime.timedelta(hours=self.rng.randint(1, 46), minutes=self.rng.randint(0, 59))
                        else:
                            delay = datetime.timedelta(hours=self.rng.randint(50, 240))
                        if received_at + delay <= self.now:
                            handled_at = received_at + delay
                    complaints.append(
                        ComplaintRow(
                            client=self.rng.choice(clients),
                            about=person.username,
                            received_at=received_at,
                            handler=handler,
                            handled_at=handled_at,
                            resolution=self.rng.choice(RESOLUTIONS) if handled_at else "",
                            channel=self.rng.choice(
                                [Complaint.Channel.PHONE] * 3 + [Complaint.Channel.EMAIL] * 2 + list(Complaint.Channel)
                            ),
                        )
                    )
                # Surveys: roughly one in four served clients answers a follow-up each quarter.
                count = max(1, round(len(clients) * (0.05 if person.position == Position.ASSISTANT else 0.25)))
                for client in self.rng.sample(clients, min(count, len(clients))):
                    day = self.day_in(start, end)
                    if day is None:
                        continue
                    scores = [self.score(tier.satisfaction) for _ in range(3)]
                    mean = sum(scores) / 3
                    comment = ""
                    if self.rng.random() < 0.4:
                        comment = self.rng.choice(SURVEY_COMMENTS_GOOD if mean >= 3.5 else SURVEY_COMMENTS_BAD)
                    channel = self.rng.choices(list(SatisfactionSurvey.Channel), weights=(5, 3, 2))[0]
                    surveys.append(SurveyRow(client, person.username, day, channel, *scores, comment))
        return complaints, surveys

    def score(self, mean):
        return min(5, max(1, round(self.rng.gauss(mean, 0.7))))

    # Natural keys ------------------------------------------------------------------------------------------

    @staticmethod
    def numbered(rows, sort_key, year_of, pattern):
        per_year = Counter()
        for row in sorted(rows, key=sort_key):
            year = year_of(row)
            per_year[year] += 1
            row.ref = pattern.format(year=year, n=per_year[year])

    def plan(self):
        current = _quarter_index(self.today)
        self.simulate_contracts(current - HISTORY_QUARTERS, current)
        revenue = self.simulate_revenue()
        complaints, surveys = self.simulate_feedback(current - FEEDBACK_QUARTERS, current)
        for number, client in enumerate(sorted(self.clients, key=lambda c: (c.created_on, c.key)), start=1):
            client.code = f"C{number:04d}"
        per_year = Counter()
        for contract in sorted(self.contracts, key=lambda c: (c.signed_on, c.key)):
            per_year[contract.signed_on.year] += 1
            contract.number = f"HT-{contract.signed_on.year}-{per_year[contract.signed_on.year]:04d}"
        self.numbered(revenue, lambda r: (r.received_on, r.contract), lambda r: r.received_on.year, "R-{year}-{n:05d}")
        self.numbered(complaints, lambda c: c.received_at, lambda c: c.received_at.year, "CP-{year}-{n:04d}")
        self.numbered(surveys, lambda s: (s.surveyed_on, s.staff), lambda s: s.surveyed_on.year, "SV-{year}-{n:05d}")
        return DemoPlan(
            today=self.today,
            people=self.people,
            clients=sorted(self.clients, key=lambda c: c.code),
            contracts=sorted(self.contracts, key=lambda c: c.number),
            revenue=sorted(revenue, key=lambda r: r.ref),
            complaints=sorted(complaints, key=lambda c: c.ref),
            surveys=sorted(surveys, key=lambda s: s.ref),
            quarters=[_quarter_of(index) for index in range(current - 4, current + 1)],
        )


def demo_firm_plan(*, today):
    """The whole demo firm as plain rows; the same reference date always gives the same firm."""
    return _Planner(today).plan()


# --- Writing it -----------------------------------------------------------------------------------------------


def demo_firm_exists():
    """True when the database already holds people, departments or department data (or a demo username)."""
    return (
        Department.objects.exists()
        or StaffProfile.objects.exists()
        or Client.objects.exists()
        or User.objects.filter(username__in=DEMO_USERNAMES).exists()
    )


def _delete_with_dependants(queryset, depth=0):
    """Delete rows and, first, whatever protects them (scorecards, rating assignments, schemes…) — demo only."""
    while True:
        try:
            queryset.delete()
            return
        except (ProtectedError, RestrictedError) as error:
            if depth > 10:
                raise
            blockers = getattr(error, "protected_objects", None) or error.restricted_objects
            by_model = defaultdict(list)
            for obj in blockers:
                by_model[type(obj)].append(obj.pk)
            for model, pks in by_model.items():
                _delete_with_dependants(model._base_manager.filter(pk__in=pks), depth + 1)


def demo_firm_wipe():
    """Remove the quarters with their results, department data, people and departments."""
    from results.integrity import whole_database_maintenance

    # Published results are removed only when the whole firm goes (results/integrity.py).
    with transaction.atomic(), whole_database_maintenance():
        # The quarters go first: their schemes, ratings, scorecards, interviews and appeals point at the people.
        _delete_with_dependants(Quarter.objects.all())
        _delete_with_dependants(ChangeRecord.objects.all())
        for model in (RevenueEntry, Complaint, SatisfactionSurvey, Contract):
            _delete_with_dependants(model.objects.all())
        # Referrals point between clients (PROTECT): untie them before deleting.
        Client.objects.update(referred_by=None)
        _delete_with_dependants(Client.objects.all())
        _delete_with_dependants(User.objects.filter(Q(profile__isnull=False) | Q(username__in=DEMO_USERNAMES)))
        _delete_with_dependants(Department.objects.all())


def demo_firm_seed(*, today, reset=False):
    """Create the demo firm for the reference date; leaves existing data alone unless reset is asked for."""
    with transaction.atomic():
        if reset:
            demo_firm_wipe()
        elif demo_firm_exists():
            return SeedResult(created=False, today=today, counts=_counts(), per_quarter=_per_quarter(today))
        # The demo's group memberships and data duties go into the record of role changes as the command's.
        # The firm started using the product with the oldest quarter of the history: its people joined then.
        started_on = Quarter.bounds(*completed_quarters(today)[0])[0]
        with staff_changes_by(None, StaffChange.Source.COMMAND), on_day(started_on, 9):
            _write(demo_firm_plan(today=today))
    return SeedResult(created=True, today=today, counts=_counts(), per_quarter=_per_quarter(today))


def _write(plan):
    departments = Department.objects.bulk_create(
        Department(code=code, name_zh=zh, name_en=en, kind=kind) for code, zh, en, kind in DEPARTMENTS
    )
    department_by_code = {d.code: d for d in Department.objects.filter(code__in=[d.code for d in departments])}

    # One hash for everyone: hashing the same password 37 times would take most of the seed's time.
    template = User(username="template")
    template.set_password(DEMO_PASSWORD)
    User.objects.bulk_create(
        User(
            username=person.username,
            email=f"{person.username}@{EMAIL_DOMAIN}",
            last_name=person.full_name[0],
            first_name=person.full_name[1:],
            password=template.password,
        )
        for person in plan.people
    )
    users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in plan.people])}
    StaffProfile.objects.bulk_create(
        StaffProfile(
            user=users[person.username],
            full_name=person.full_name,
            position=person.position,
            department=department_by_code[person.department],
            assessed=person.assessed,
            language=Language.EN if person.language == "en" else Language.ZH_HANS,
        )
        for person in plan.people
    )
    profiles = {p.user.username: p for p in StaffProfile.objects.select_related("user").filter(user__in=users.values())}
    for person in plan.people:
        profiles[person.username].superior = profiles[person.superior] if person.superior else None
    StaffProfile.objects.bulk_update(list(profiles.values()), ["superior"])

    leadership, _ = Group.objects.get_or_create(name=LEADERSHIP_GROUP)
    execution, _ = Group.objects.get_or_create(name=EXECUTION_GROUP)
    leadership.user_set.add(*(users[p.username] for p in plan.people if p.tier == "P"))
    execution.user_set.add(*(users[name] for name in EXECUTION_MEMBERS))
    for code, username in CLERKS.items():
        department_by_code[code].clerks.add(users[username])

    Client.objects.bulk_create(
        (
            Client(code=c.code, name=c.name, kind=c.kind, email=c.email, phone=c.phone, created_on=c.created_on)
            for c in plan.clients
        ),
        batch_size=500,
    )
    code_of = {c.key: c.code for c in plan.clients}
    client_ids = dict(Client.objects.values_list("code", "pk"))
    referred = list(Client.objects.filter(code__in=[c.code for c in plan.clients if c.referred_by]))
    referrer_of = {c.code: code_of[c.referred_by] for c in plan.clients if c.referred_by}
    for client in referred:
        client.referred_by_id = client_ids[referrer_of[client.code]]
    Client.objects.bulk_update(referred, ["referred_by"], batch_size=500)

    def client_id(key):
        return client_ids[code_of[key]]

    profile_id = {username: profile.pk for username, profile in profiles.items()}
    Contract.objects.bulk_create(
        (
            Contract(
                number=c.number,
                client_id=client_id(c.client),
                signed_on=c.signed_on,
                originating_lawyer_id=profile_id[c.originating],
                responsible_lawyer_id=profile_id[c.responsible],
                matter=c.matter,
                fee=c.fee,
                status=c.status,
                closed_on=c.closed_on,
            )
            for c in plan.contracts
        ),
        batch_size=500,
    )
    number_of = {c.key: c.number for c in plan.contracts}
    contract_ids = dict(Contract.objects.values_list("number", "pk"))
    RevenueEntry.objects.bulk_create(
        (
            RevenueEntry(
                ref=r.ref,
                contract_id=contract_ids[number_of[r.contract]],
                received_on=r.received_on,
                amount=r.amount,
                credited_to_id=profile_id[r.credited_to],
            )
            for r in plan.revenue
        ),
        batch_size=1000,
    )
    Complaint.objects.bulk_create(
        (
            Complaint(
                ref=c.ref,
                client_id=client_id(c.client),
                about_id=profile_id[c.about],
                received_at=c.received_at,
                handler_id=profile_id[c.handler],
                handled_at=c.handled_at,
                resolution=c.resolution,
                channel=c.channel,
            )
            for c in plan.complaints
        ),
        batch_size=500,
    )
    SatisfactionSurvey.objects.bulk_create(
        (
            SatisfactionSurvey(
                ref=s.ref,
                client_id=client_id(s.client),
                staff_id=profile_id[s.staff],
                surveyed_on=s.surveyed_on,
                channel=s.channel,
                service_quality=s.service_quality,
                communication=s.communication,
                outcome=s.outcome,
                comment=s.comment,
            )
            for s in plan.surveys
        ),
        batch_size=1000,
    )
    _write_audit_trail(plan, users, department_by_code)
    # The four completed quarters and the current one; their states are left at the default.
    for year, number in plan.quarters:
        Quarter.objects.get_or_create(year=year, number=number)


# When the clerk entered each kind of record: a couple of days after it happened, at ten (never after the seed's
# reference day), and which record field says when it happened.
AUDIT_DELAY = datetime.timedelta(days=2)
AUDITED = (
    (Client, "clients", "code", "created_on"),
    (Contract, "contracts", "number", "signed_on"),
    (RevenueEntry, "revenue", "ref", "received_on"),
    (Complaint, "complaints", "ref", "received_at"),
    (SatisfactionSurvey, "surveys", "ref", "surveyed_on"),
)


def _write_audit_trail(plan, users, department_by_code):
    """The change log a firm's clerks would have left (clients.audit: one entry per record, "created by import"),
    so the completeness board's "last change" columns read as they do in use. Written directly, like the rest."""
    from reviews.roles import DATA_KINDS_BY_DEPARTMENT

    clerk_of_kind = {
        kind: users[username]
        for code, username in CLERKS.items()
        for kind in DATA_KINDS_BY_DEPARTMENT.get(department_by_code[code].kind, ())
    }
    latest = at_hour(plan.today, 9)
    for model, kind, label_field, when_field in AUDITED:
        content_type = ContentType.objects.get_for_model(model)
        by_moment = defaultdict(list)
        for pk, repr_, when in model.objects.values_list("pk", label_field, when_field).order_by("pk"):
            day = when.astimezone(ZoneInfo(settings.TIME_ZONE)).date() if isinstance(when, datetime.datetime) else when
            by_moment[min(at_hour(day + AUDIT_DELAY), latest)].append((pk, repr_))
        for moment, records in by_moment.items():
            created = ChangeRecord.objects.bulk_create(
                ChangeRecord(
                    content_type=content_type,
                    object_id=str(pk),
                    object_repr=str(repr_)[:200],
                    action=ChangeRecord.Action.IMPORT_CREATE,
                    by=clerk_of_kind.get(kind),
                    note="demo",
                )
                for pk, repr_ in records
            )
            # `at` is stamped at creation (auto_now_add): set it to the moment of the demo's timetable.
            ChangeRecord.objects.filter(pk__in=[record.pk for record in created]).update(at=moment)


def _counts():
    return {
        "departments": Department.objects.count(),
        "staff": StaffProfile.objects.count(),
        "assessed": StaffProfile.objects.filter(assessed=True).count(),
        "leadership": User.objects.filter(groups__name=LEADERSHIP_GROUP).count(),
        "execution": User.objects.filter(groups__name=EXECUTION_GROUP).count(),
        "clients": Client.objects.count(),
        "contracts": Contract.objects.count(),
        "revenue": RevenueEntry.objects.count(),
        "complaints": Complaint.objects.count(),
        "open_complaints": Complaint.objects.filter(handled_at__isnull=True).count(),
        "surveys": SatisfactionSurvey.objects.count(),
        "quarters": Quarter.objects.count(),
    }


def _per_quarter(today):
    """Contracts, revenue entries, complaints and surveys in each of the last four completed quarters."""
    result = {}
    for year, number in completed_quarters(today):
        start, end = Quarter.bounds(year, number)
        result[f"{year}Q{number}"] = {
            "contracts": Contract.objects.filter(signed_on__range=(start, end)).count(),
            "revenue": RevenueEntry.objects.filter(received_on__range=(start, end)).count(),
            "complaints": Complaint.objects.filter(received_at__date__range=(start, end)).count(),
            "surveys": SatisfactionSurvey.objects.filter(surveyed_on__range=(start, end)).count(),
        }
    return result
