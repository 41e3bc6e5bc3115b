"""A small firm with one person per role, built once per test (healthchecks' alice/bob/charlie)."""

from dataclasses import dataclass

from django.contrib.auth.models import Group, User

from reviews.models import EXECUTION_GROUP, LEADERSHIP_GROUP, Department, DepartmentKind, Position, StaffProfile


@dataclass
class Firm:
    business: Department
    administrative: Department
    finance: Department
    litigation: Department
    corporate: Department
    partner: User  # leadership group, not assessed
    executor: User  # execution group member
    business_clerk: User
    finance_clerk: User
    admin_clerk: User
    superior: User  # senior lawyer, direct superior of lawyer, colleague and assistant
    lawyer: User
    colleague: User  # same superior as lawyer
    assistant: User
    outsider: User  # a lawyer in another group, unrelated to the others

    @property
    def personas(self):
        return {
            name: getattr(self, name)
            for name in (
                "partner",
                "executor",
                "business_clerk",
                "finance_clerk",
                "admin_clerk",
                "superior",
                "lawyer",
                "colleague",
                "assistant",
                "outsider",
            )
        }


def make_person(username, full_name, position, department, *, superior=None, assessed=True, language="zh-hans"):
    user = User.objects.create_user(username=username, email=f"{username}@firm.example", password="pw-for-tests-1")
    StaffProfile.objects.create(
        user=user,
        full_name=full_name,
        position=position,
        department=department,
        superior=superior.profile if superior else None,
        assessed=assessed,
        language=language,
    )
    return user


def make_firm():
    departments = {
        code: Department.objects.create(code=code, name_zh=zh, name_en=en, kind=kind)
        for code, zh, en, kind in [
            ("biz", "业务部", "Business Department", DepartmentKind.BUSINESS),
            ("adm", "行政部", "Administrative Department", DepartmentKind.ADMINISTRATIVE),
            ("fin", "财务部", "Finance Department", DepartmentKind.FINANCE),
            ("lit", "诉讼业务组", "Litigation Group", DepartmentKind.PRACTICE),
            ("corp", "公司业务组", "Corporate Group", DepartmentKind.PRACTICE),
        ]
    }
    partner = make_person("partner", "王建国", Position.LAWYER, departments["lit"], assessed=False)
    partner.groups.add(Group.objects.get(name=LEADERSHIP_GROUP))
    executor = make_person("executor", "赵敏", Position.ADMINISTRATIVE, departments["adm"], superior=partner)
    executor.groups.add(Group.objects.get(name=EXECUTION_GROUP))
    business_clerk = make_person("bizclerk", "钱芳", Position.ADMINISTRATIVE, departments["biz"], superior=executor)
    finance_clerk = make_person("finclerk", "孙丽", Position.ADMINISTRATIVE, departments["fin"], superior=executor)
    admin_clerk = make_person("admclerk", "李娜", Position.ADMINISTRATIVE, departments["adm"], superior=executor)
    departments["biz"].clerks.add(business_clerk)
    departments["fin"].clerks.add(finance_clerk)
    departments["adm"].clerks.add(admin_clerk)
    superior = make_person("senior", "周强", Position.LAWYER, departments["lit"], superior=partner)
    lawyer = make_person("lawyer", "陈静", Position.LAWYER, departments["lit"], superior=superior)
    colleague = make_person("colleague", "刘洋", Position.LAWYER, departments["lit"], superior=superior, language="en")
    assistant = make_person("assistant", "杨光", Position.ASSISTANT, departments["lit"], superior=superior)
    outsider = make_person("outsider", "黄磊", Position.LAWYER, departments["corp"], superior=partner)
    return Firm(
        business=departments["biz"],
        administrative=departments["adm"],
        finance=departments["fin"],
        litigation=departments["lit"],
        corporate=departments["corp"],
        partner=partner,
        executor=executor,
        business_clerk=business_clerk,
        finance_clerk=finance_clerk,
        admin_clerk=admin_clerk,
        superior=superior,
        lawyer=lawyer,
        colleague=colleague,
        assistant=assistant,
        outsider=outsider,
    )
