"""Demo data built from the seed articles: units, directives, targets, tasks, one account
per role to log in with, and the people the history needs. In Vietnamese (the default) or
in English (`demo load --language en`). Dates are relative to today so that every
timeliness class occurs, and every step of the history was taken by someone the rules
allow."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from .. import audit
from ..accounts.users import add_user
from ..domain import history_notes, periods
from ..domain import lifecycle as lc
from ..domain.errors import DomainError
from ..domain.roles import ADMIN, AUDITOR, OFFICER, SUPERVISOR, UNIT_LEADER
from ..domain.text import N_
from ..extensions import db
from ..infra import clock
from ..models import (
    Comment,
    Directive,
    Evidence,
    ExtensionRequest,
    RecurringTask,
    StatusUpdate,
    Target,
    TargetValue,
    Task,
    Unit,
    UrgingNotice,
    User,
)
from ..org.directives import DirectiveValues, add_directive, add_target
from ..org.units import add_unit
from ..work import notifications, recurring
from ..work.tasks import TaskValues, add_task


@dataclass(frozen=True)
class W:
    """A demo text in Vietnamese and in English (`demo load --language en`)."""

    vi: str
    en: str

    def __call__(self, language: str) -> str:
        return self.en if language == "en" else self.vi


# (code, name, parent code)
UNITS = [
    (
        "BCĐTW",
        W(
            "Ban Chỉ đạo Trung ương về phát triển khoa học, công nghệ, đổi mới sáng tạo và "
            "chuyển đổi số",
            "Central Steering Committee for Science, Technology, Innovation and Digital "
            "Transformation",
        ),
        None,
    ),
    ("BCT", W("Bộ Công Thương", "Ministry of Industry and Trade"), "BCĐTW"),
    (
        "BCT-KHCN",
        W("Vụ Khoa học và Công nghệ (Bộ Công Thương)", "Department of Science and Technology"),
        "BCT",
    ),
    (
        "BCT-CSTMDB",
        W("Vụ Chính sách thương mại đa biên", "Department of Multilateral Trade Policy"),
        "BCT",
    ),
    (
        "BCT-KHTC",
        W("Vụ Kế hoạch - Tài chính (Bộ Công Thương)", "Department of Planning and Finance"),
        "BCT",
    ),
    (
        "VNCCK",
        W("Viện Nghiên cứu Cơ khí", "Institute of Mechanical Engineering Research"),
        "BCT-KHCN",
    ),
    (
        "VKHCNMLK",
        W(
            "Viện Khoa học và Công nghệ Mỏ – Luyện kim",
            "Institute of Mining and Metallurgy Science and Technology",
        ),
        "BCT-KHCN",
    ),
    ("BKHCN", W("Bộ Khoa học và Công nghệ", "Ministry of Science and Technology"), "BCĐTW"),
    (
        "BKHCN-HTQT",
        W("Vụ Hợp tác quốc tế (Bộ Khoa học và Công nghệ)", "International Cooperation Department"),
        "BKHCN",
    ),
    ("BKHCN-PC", W("Vụ Pháp chế (Bộ Khoa học và Công nghệ)", "Legal Department (MOST)"), "BKHCN"),
    ("TTDLQG", W("Trung tâm Dữ liệu quốc gia", "National Data Center"), "BCĐTW"),
]

# The accounts whose passwords are printed: one per role (username, name, role, unit code).
ACCOUNTS = [
    ("admin", "Nguyễn Thị Quản Trị", ADMIN, "BCĐTW"),
    ("supervisor", "Trần Văn Giám Sát", SUPERVISOR, "BCT"),
    ("leader", "Phan Đăng Phong", UNIT_LEADER, "VNCCK"),
    ("officer", "Lê Thu Hà", OFFICER, "VNCCK"),
    ("auditor", "Vũ Minh Kiểm", AUDITOR, "BCĐTW"),
]
# The other people the history needs, so that every step was taken by someone the rules
# allow: each lead unit's leader reports and submits, a supervisor over it verifies.
PEOPLE = [
    ("giamsat.bkhcn", "Hoàng Thị Thanh Hương", SUPERVISOR, "BKHCN"),
    ("lanhdao.bct", "Đỗ Quang Ưng", UNIT_LEADER, "BCT"),
    ("lanhdao.bct_khcn", "Ngô Thị Thu Trang", UNIT_LEADER, "BCT-KHCN"),
    ("lanhdao.bct_khtc", "Bùi Văn Đức", UNIT_LEADER, "BCT-KHTC"),
    ("lanhdao.bct_cstmdb", "Lý Thị Ngọc Ánh", UNIT_LEADER, "BCT-CSTMDB"),
    ("lanhdao.vkhcnmlk", "Đặng Văn Cường", UNIT_LEADER, "VKHCNMLK"),
    ("lanhdao.bkhcn", "Trịnh Minh Sơn", UNIT_LEADER, "BKHCN"),
    ("lanhdao.bkhcn_pc", "Vương Thị Lan", UNIT_LEADER, "BKHCN-PC"),
    ("lanhdao.bkhcn_htqt", "Phùng Văn Hưng", UNIT_LEADER, "BKHCN-HTQT"),
    ("lanhdao.ttdlqg", "Hà Thị Phương", UNIT_LEADER, "TTDLQG"),
]

DIRECTIVES: list[dict[str, Any]] = [
    {
        "code": "57-NQ/TW",
        "kind": "resolution",
        "title": W(
            "Về đột phá phát triển khoa học, công nghệ, đổi mới sáng tạo và chuyển đổi số quốc gia",
            "Breakthroughs in science, technology, innovation and national digital transformation",
        ),
        "issuing_body": W("Bộ Chính trị", "Politburo"),
        "signer": W("Tổng Bí thư Tô Lâm", "General Secretary Tô Lâm"),
        "issued_on": date(2024, 12, 22),
        "summary": W(
            "Kỷ cương là trên hết, kết quả là thước đo: công khai tiến độ, công khai trách "
            "nhiệm, công khai kết quả. Ban Chỉ đạo Trung ương sơ kết hằng quý và 6 tháng.",
            "Discipline first, results are the measure: public progress, public "
            "responsibility, public results. Quarterly and six-month reviews by the Central "
            "Steering Committee.",
        ),
        "visibility": "public",
        "targets": [
            (
                "MT1",
                W(
                    "100% nghị định hướng dẫn được ban hành trước ngày 31/3/2026",
                    "100% of guiding decrees issued before 31 March 2026",
                ),
                W("Tỷ lệ nghị định hướng dẫn đã ban hành", "Guiding decrees issued"),
                0,
                100,
                W("%", "%"),
                date(2026, 3, 31),
            ),
            (
                "MT2",
                W(
                    "Hệ thống theo dõi, đánh giá toàn quốc có bảng điều khiển và cảnh báo sớm",
                    "A national monitoring system with dashboards and early warnings",
                ),
                W("Số bộ, ngành, địa phương đã kết nối", "Ministries and provinces connected"),
                0,
                63,
                W("cơ quan", "bodies"),
                date(2026, 12, 31),
            ),
        ],
    },
    {
        "code": "01-KH/BCĐTW",
        "kind": "plan",
        "title": W(
            "Kế hoạch số 01 của Ban Chỉ đạo Trung ương triển khai Nghị quyết số 57-NQ/TW",
            "Plan No. 01 of the Central Steering Committee implementing Resolution 57",
        ),
        "issuing_body": W("Ban Chỉ đạo Trung ương", "Central Steering Committee"),
        "signer": W("Thường trực Ban Chỉ đạo", "Standing Member of the Steering Committee"),
        "issued_on": date(2025, 3, 5),
        "summary": W(
            "Giao từng đơn vị chủ trì nhiệm vụ, đơn vị phối hợp và thời hạn.",
            "Assigns each lead unit its tasks, coordinating units and deadlines.",
        ),
        "visibility": "internal",
        "targets": [],
    },
    {
        "code": "2795/QĐ-BCT",
        "kind": "decision",
        "title": W(
            "Chiến lược khoa học, công nghệ và đổi mới sáng tạo phục vụ phát triển ngành Công "
            "Thương đến năm 2030",
            "Strategy for science, technology and innovation of the Industry and Trade "
            "sector to 2030",
        ),
        "issuing_body": W("Bộ Công Thương", "Ministry of Industry and Trade"),
        "signer": W("Bộ trưởng Nguyễn Hồng Diên", "Minister Nguyễn Hồng Diên"),
        "issued_on": date(2023, 10, 30),
        "summary": W(
            "Các viện nghiên cứu của ngành sắp xếp lại tổ chức và thực hiện các nhiệm vụ ưu tiên.",
            "Research institutes of the sector restructure and deliver priority tasks.",
        ),
        "visibility": "internal",
        "targets": [
            (
                "MT1",
                W(
                    "Nội địa hóa thiết bị cơ khí, tự động hóa phục vụ Quy hoạch điện VIII",
                    "Localise mechanical and automation equipment for Power Plan VIII",
                ),
                W("Tỷ lệ nội địa hóa thiết bị", "Localisation rate of equipment"),
                30,
                60,
                W("%", "%"),
                date(2030, 12, 31),
            ),
        ],
    },
]


@dataclass
class DemoTask:
    directive: str
    code: str
    title: W
    lead: str
    deadline_in: int  # days from today
    state: str  # not_started | in_progress | submitted | on_time | late | cancelled
    percent: int = 0
    key: bool = False
    coordinating: tuple[str, ...] = ()
    owner: str | None = None
    target: str | None = None
    clause: str = ""


TASKS = [
    DemoTask(
        "57-NQ/TW",
        "NV-01",
        W(
            "Xây dựng nghị định hướng dẫn Luật Khoa học, công nghệ và đổi mới sáng tạo",
            "Draft the decree guiding the Law on Science, Technology and Innovation",
        ),
        "BKHCN-PC",
        -120,
        "on_time",
        key=True,
        target="MT1",
        coordinating=("BKHCN",),
        clause="Mục III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-02",
        W(
            "Ban hành nghị định về công nghiệp công nghệ số",
            "Issue the decree on the digital technology industry",
        ),
        "BKHCN",
        -60,
        "late",
        key=True,
        target="MT1",
        clause="Mục III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-03",
        W(
            "Ban hành các nghị định hướng dẫn còn lại (100% trước ngày 31/3)",
            "Issue the remaining guiding decrees (100% before 31 March)",
        ),
        "BKHCN-PC",
        -25,
        "in_progress",
        70,
        key=True,
        target="MT1",
        coordinating=("BCT-KHCN",),
        clause="Mục III.1",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-04",
        W(
            "Vận hành hệ thống theo dõi, đánh giá thực hiện Nghị quyết 57",
            "Operate the system monitoring and evaluating Resolution 57",
        ),
        "TTDLQG",
        -5,
        "submitted",
        key=True,
        target="MT2",
        clause="Mục III.4",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-05",
        W(
            "Kết nối bảng điều khiển có cảnh báo sớm của các bộ với hệ thống theo dõi quốc gia",
            "Connect ministries' dashboards with early warnings to the national monitoring system",
        ),
        "TTDLQG",
        4,
        "in_progress",
        55,
        target="MT2",
        coordinating=("BCT", "BKHCN"),
        clause="Mục III.4",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-06",
        W(
            "Công bố Danh mục công nghệ chiến lược (11 nhóm)",
            "Publish the list of strategic technologies (11 groups)",
        ),
        "BKHCN",
        45,
        "in_progress",
        30,
        clause="Mục III.2",
    ),
    DemoTask(
        "57-NQ/TW",
        "NV-07",
        W(
            "Báo cáo sơ kết quý IV gửi Ban Chỉ đạo",
            "Quarterly review report for the Steering Committee (Q4)",
        ),
        "BCT",
        0,
        "in_progress",
        80,
        key=True,
        clause="Mục IV",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH 01",
        W(
            "Báo cáo kết quả 9 tháng thực hiện Nghị quyết 57 trong ngành Công Thương",
            "Report nine-month results of Resolution 57 in the Industry and Trade sector",
        ),
        "BCT-KHCN",
        -45,
        "on_time",
        coordinating=("BCT-KHTC",),
        clause="Mục 2",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH 02",
        W(
            "Tiếp nhận, xử lý phản ánh, kiến nghị về khoa học, công nghệ, đổi mới sáng tạo và "
            "chuyển đổi số",
            "Receive and process feedback and recommendations on S&T, innovation and digital "
            "transformation",
        ),
        "BCT-KHCN",
        -12,
        "not_started",
        clause="Mục 5",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH 03",
        W(
            "Đề xuất chương trình hợp tác quốc tế về công nghệ chiến lược",
            "Propose international cooperation programmes on strategic technologies",
        ),
        "BKHCN-HTQT",
        20,
        "not_started",
        coordinating=("BCT-CSTMDB",),
        clause="Mục 7",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH 04",
        W(
            "Thí điểm dịch vụ một cửa trực tuyến cho doanh nghiệp khoa học và công nghệ",
            "Pilot a one-stop online service for S&T enterprises",
        ),
        "BKHCN",
        -70,
        "cancelled",
        clause="Mục 9",
    ),
    DemoTask(
        "01-KH/BCĐTW",
        "KH 05",
        W(
            "Đào tạo cán bộ của Bộ về chuyển đổi số",
            "Train staff of the Ministry on digital transformation",
        ),
        "BCT-KHTC",
        90,
        "not_started",
        clause="Mục 11",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-01",
        W(
            "Hoàn thiện đề án thiết bị cơ khí, tự động hóa phục vụ Quy hoạch điện VIII",
            "Complete the scheme for mechanical and automation equipment under Power "
            "Development Plan VIII",
        ),
        "VNCCK",
        -30,
        "late",
        key=True,
        target="MT1",
        owner="officer",
        clause="Nhiệm vụ 1",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-02",
        W(
            "Hoàn thiện đề án phát triển công nghiệp đường sắt Việt Nam đến năm 2035, tầm "
            "nhìn 2050",
            "Complete the scheme for developing Vietnam's railway industry to 2035, vision 2050",
        ),
        "VNCCK",
        -8,
        "in_progress",
        85,
        key=True,
        owner="officer",
        coordinating=("BCT-KHCN",),
        clause="Nhiệm vụ 2",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-03",
        W(
            "Nội địa hóa dây chuyền thiết bị cho nhà máy thủy điện, nhiệt điện",
            "Localise equipment lines for hydropower and thermal power plants",
        ),
        "VNCCK",
        3,
        "in_progress",
        60,
        target="MT1",
        clause="Nhiệm vụ 3",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-04",
        W(
            "Thiết kế dây chuyền phát điện từ nhiệt thải cho nhà máy xi măng",
            "Design a waste-heat power line for cement plants",
        ),
        "VNCCK",
        6,
        "not_started",
        owner="officer",
        clause="Nhiệm vụ 4",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-05",
        W(
            "Công bố ít nhất 60 bài báo khoa học trong năm",
            "Publish at least 60 scientific articles this year",
        ),
        "VNCCK",
        36,
        "in_progress",
        40,
        clause="Nhiệm vụ 5",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-06",
        W("Sắp xếp lại Viện theo hướng tự chủ", "Restructure the institute towards autonomy"),
        "VNCCK",
        -90,
        "on_time",
        clause="Nhiệm vụ 6",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-07",
        W(
            "Báo cáo chuyển giao công nghệ chế biến khoáng sản",
            "Report on mineral processing technology transfer",
        ),
        "VKHCNMLK",
        -3,
        "submitted",
        coordinating=("VNCCK",),
        clause="Nhiệm vụ 7",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-08",
        W(
            "Kết nối Câu lạc bộ các Viện nghiên cứu ngành Công Thương để chia sẻ thông tin khoa "
            "học và công nghệ",
            "Connect the Industry and Trade Research Institutes Club to share S&T information",
        ),
        "VKHCNMLK",
        60,
        "in_progress",
        25,
        clause="Nhiệm vụ 8",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-09",
        W(
            "Rà soát nhiệm vụ khoa học và công nghệ của ngành với Vụ Chính sách thương mại đa biên",
            "Review the sector's S&T tasks with the Department of Multilateral Trade Policy",
        ),
        "BCT-CSTMDB",
        -18,
        "in_progress",
        50,
        clause="Nhiệm vụ 9",
    ),
    DemoTask(
        "2795/QĐ-BCT",
        "CL-10",
        W(
            "Báo cáo Bộ trưởng sơ kết 6 tháng thực hiện Chiến lược",
            "Six-month report on the strategy to the Minister",
        ),
        "BCT-KHCN",
        1,
        "in_progress",
        90,
        key=True,
        clause="Nhiệm vụ 10",
    ),
]

# What people wrote in the history, in each language.
NOTES = {
    "started": W("Đã triển khai thực hiện.", "Work started."),
    "progress": W(
        "Báo cáo tiến độ phục vụ sơ kết quý.", "Progress report for the quarterly review."
    ),
    "submitted": W("Đã gửi sản phẩm để xác nhận.", "Output document sent for verification."),
    "result": W("Báo cáo kết quả kèm sản phẩm.", "Result submitted with the output document."),
    "verified": W("Đã kiểm tra: chấp nhận sản phẩm.", "Verified: the output document is accepted."),
    "sent_back": W(
        "Thiếu biên bản nghiệm thu của hội đồng.",
        "The council's acceptance record is missing.",
    ),
    "resubmitted": W("Đã bổ sung biên bản nghiệm thu.", "The acceptance record has been added."),
    "cancelled": W(
        "Hủy: Ban Chỉ đạo đã gộp vào nhiệm vụ khác.",
        "Cancelled: merged into another task by the Steering Committee.",
    ),
    "evidence": W("Văn bản sản phẩm", "Output document"),
    "extension": W(
        "Số liệu ngành đường sắt của Bộ Giao thông vận tải đến tháng sau mới có.",
        "The railway industry data from the Ministry of Transport arrives next month.",
    ),
    "obstacle": W(
        "Bệ thử thủy điện cần kinh phí chưa được bố trí; đề nghị Bộ điều chỉnh một phần kinh "
        "phí khoa học và công nghệ năm 2026.",
        "The hydropower test rig needs funding not yet allocated; we recommend the Ministry "
        "reallocate part of the 2026 S&T budget.",
    ),
    "urging": W(
        "Đề nghị báo cáo kết quả xử lý phản ánh, kiến nghị về Ban Chỉ đạo trong 5 ngày.",
        "Report the feedback-processing results to the Steering Committee within 5 days.",
    ),
    "recurring": W(
        "Báo cáo quý về Nghị quyết 57 gửi Ban Chỉ đạo",
        "Quarterly report on Resolution 57 to the Steering Committee",
    ),
}
# Quarterly readings of "100% of guiding decrees issued", recorded by the supervisor.
READINGS = [
    (330, 35, W("Sơ kết quý của Ban Chỉ đạo", "Quarterly review of the Steering Committee")),
    (240, 62, W("Sơ kết 6 tháng", "Six-month review")),
    (150, 88, W("Sơ kết 9 tháng", "Nine-month review")),
    (60, 96, W("Sơ kết quý", "Quarterly review")),
]


def _moment(day: date, hour: int = 9) -> datetime:
    """A UTC timestamp on `day` at `hour` o'clock in the tracker's time zone."""
    return datetime.combine(day, time(hour), tzinfo=clock.tracker_zone()).astimezone(UTC)


def demo_present() -> bool:
    leaders = select(func.count(User.id)).where(User.username == "leader")
    return db.session.execute(leaders).scalar_one() > 0


def database_empty() -> bool:
    return db.session.scalar(select(func.count(Unit.id))) == 0


def load_demo(language: str = "vi") -> dict[str, str]:
    """Create the demo data, its texts in `language` (vi or en); returns {username:
    generated password} of the accounts a reviewer logs in with. Refuses when present."""
    if demo_present():
        raise DomainError(N_("The demo data is already loaded; nothing was changed."))
    today = clock.today()
    units: dict[str, Unit] = {}
    for code, unit_name, parent in UNITS:
        units[code] = add_unit(code, unit_name(language), units.get(parent) if parent else None)

    passwords: dict[str, str] = {}
    users: dict[str, User] = {}
    for username, name, role, unit_code in [*ACCOUNTS, *PEOPLE]:
        password = secrets.token_urlsafe(12)
        users[username] = add_user(
            username,
            password,
            role,
            units[unit_code],
            name=name,
            email=f"{username}@tracker.example.gov.vn",
        )
        users[username].language = language
        passwords[username] = password

    directives: dict[str, Directive] = {}
    targets: dict[tuple[str, str], Target] = {}
    for directive_spec in DIRECTIVES:
        values: dict[str, Any] = {
            key: value(language) if isinstance(value, W) else value
            for key, value in directive_spec.items()
            if key != "targets"
        }
        directive = add_directive(DirectiveValues(**values))
        directives[directive.code] = directive
        for code, title, indicator, baseline, target_value, measure, due in directive_spec[
            "targets"
        ]:
            targets[(directive.code, code)] = add_target(
                directive,
                {
                    "code": code,
                    "title": title(language),
                    "indicator": indicator(language),
                    "baseline_value": Decimal(baseline),
                    "target_value": Decimal(target_value),
                    "unit_of_measure": measure(language),
                    "due_on": due,
                },
            )

    for days_ago, value, source in READINGS:
        db.session.add(
            TargetValue(
                target=targets[("57-NQ/TW", "MT1")],
                recorded_on=today - timedelta(days=days_ago),
                value=Decimal(value),
                source_note=source(language),
                recorded_by=users["supervisor"],
            )
        )

    tasks_by_code: dict[str, Task] = {}
    for spec in TASKS:
        deadline = today + timedelta(days=spec.deadline_in)
        start = deadline - timedelta(days=120)
        task = add_task(
            TaskValues(
                code=spec.code,
                title=spec.title(language),
                directive=directives[spec.directive],
                lead_unit=units[spec.lead],
                deadline=deadline,
                start_date=start,
                target=targets.get((spec.directive, spec.target)) if spec.target else None,
                coordinating_units=[units[c] for c in spec.coordinating],
                owner=users.get(spec.owner) if spec.owner else None,
                is_key=spec.key,
                source_clause=spec.clause,
            ),
            users["admin"],
        )
        task.updates[-1].created_at = _moment(start)
        reporter, verifier = _people_for(task, users)
        _play_history(task, spec, start, deadline, reporter, verifier, language)
        tasks_by_code[spec.code] = task
    db.session.flush()
    _accountability(tasks_by_code, users, today, language)
    audit.record(None, "demo.load", units["BCĐTW"], after={"tasks": len(TASKS)})
    db.session.commit()
    recurring.run(today)  # this quarter's report on Resolution 57
    return {username: passwords[username] for username, *_ in ACCOUNTS}


def _people_for(task: Task, users: dict[str, User]) -> tuple[User, User]:
    """Who reports on `task` (its lead unit's leader) and who verifies it (the nearest
    supervisor over the lead unit, else the administrator): as the rules allow."""
    leaders = [u for u in users.values() if u.role == UNIT_LEADER and u.unit == task.lead_unit]
    supervisors = [
        u for u in users.values() if u.role == SUPERVISOR and task.lead_unit.is_within(u.unit)
    ]
    verifier = max(supervisors, key=lambda u: len(u.unit.path), default=users["admin"])
    return leaders[0], verifier


def _accountability(
    tasks: dict[str, Task], users: dict[str, User], today: date, language: str
) -> None:
    """What a new user should find waiting: evidence on the submitted tasks, an extension
    request, an open difficulty, an urging notice, notifications and a quarterly recurring
    report."""
    for code in ("NV-04", "CL-07", "NV-01", "NV-02", "KH 01", "CL-01", "CL-06"):
        task = tasks[code]
        submission = next(u for u in task.updates if u.new_status == lc.SUBMITTED)
        db.session.add(
            Evidence(
                task_id=task.id,
                kind="link",
                status_update=submission,
                added_by=submission.actor,
                url=f"https://vanban.example.gov.vn/{task.directive.code.replace('/', '-')}/"
                f"{code.replace(' ', '-')}",
                original_name="",
                note=NOTES["evidence"](language),
                created_at=submission.created_at,
            )
        )
    overdue = tasks["CL-02"]
    db.session.add(
        ExtensionRequest(
            task_id=overdue.id,
            requested_by=users["leader"],
            previous_deadline=overdue.deadline,
            requested_deadline=overdue.deadline + timedelta(days=45),
            reason=NOTES["extension"](language),
            requested_at=_moment(today - timedelta(days=2)),
        )
    )
    db.session.add(
        Comment(
            task_id=tasks["CL-03"].id,
            author=users["leader"],
            kind="obstacle",
            body=NOTES["obstacle"](language),
            created_at=_moment(today - timedelta(days=3)),
        )
    )
    late = tasks["KH 02"]
    notice = UrgingNotice(
        task_id=late.id,
        year=today.year,
        sequence=1,
        issued_by=users["supervisor"],
        text=NOTES["urging"](language),
        issued_at=_moment(today - timedelta(days=1)),
    )
    db.session.add(notice)
    db.session.add(
        StatusUpdate(
            task=late,
            actor=users["supervisor"],
            old_status=late.status,
            new_status=late.status,
            old_percent=late.percent_done,
            new_percent=late.percent_done,
            note=notice.text,
            note_code=history_notes.URGING_ISSUED,
            note_values={"number": notice.number},
            created_at=_moment(today - timedelta(days=1)),
        )
    )
    notifications.notify(
        "urging.issued",
        late,
        users["supervisor"],
        notifications.concerned(late),
        number=notice.number,
        text=notice.text,
    )
    sent_back = tasks["CL-01"]
    notifications.notify(
        "task.sent_back",
        sent_back,
        users["supervisor"],
        notifications.concerned(sent_back),
        reason=NOTES["sent_back"](language),
    )
    quarter_start, _ = periods.period_of(today, periods.QUARTERLY)
    db.session.add(
        RecurringTask(
            directive=tasks["NV-07"].directive,
            code_prefix="BC57",
            title=NOTES["recurring"](language),
            lead_unit=tasks["NV-07"].lead_unit,
            frequency=periods.QUARTERLY,
            days_after_period_end=10,
            starts_on=quarter_start,
            is_key=True,
        )
    )
    db.session.flush()


def _play_history(
    task: Task,
    spec: DemoTask,
    start: date,
    deadline: date,
    reporter: User,
    verifier: User,
    language: str,
) -> None:
    """Backdated progress reports that lead to the task's demo state, each written by the
    person the rules let take that step: the lead unit's leader reports and submits, a
    supervisor over the unit verifies, sends back or cancels. A late task was sent back
    once before it was verified."""
    said = {key: words(language) for key, words in NOTES.items()}
    steps: list[tuple[date, str, int, str, User]] = []
    if spec.state != "not_started":
        steps.append((start + timedelta(days=10), lc.IN_PROGRESS, 20, said["started"], reporter))
    if spec.state in ("in_progress",):
        steps.append(
            (start + timedelta(days=40), lc.IN_PROGRESS, spec.percent, said["progress"], reporter)
        )
    if spec.state == "submitted":
        steps.append((deadline - timedelta(days=1), lc.SUBMITTED, 100, said["submitted"], reporter))
    if spec.state == "late":
        first = deadline - timedelta(days=3)
        steps.append((first, lc.SUBMITTED, 100, said["result"], reporter))
        steps.append((first + timedelta(days=1), lc.IN_PROGRESS, 100, said["sent_back"], verifier))
    if spec.state in ("on_time", "late"):
        done = (
            deadline - timedelta(days=5)
            if spec.state == "on_time"
            else deadline + timedelta(days=6)
        )
        note = said["result"] if spec.state == "on_time" else said["resubmitted"]
        steps.append((done, lc.SUBMITTED, 100, note, reporter))
        steps.append((done + timedelta(days=2), lc.COMPLETED, 100, said["verified"], verifier))
        task.completed_at = _moment(done)
        task.completed_on = done
    if spec.state == "cancelled":
        steps.append((start + timedelta(days=30), lc.CANCELLED, 20, said["cancelled"], verifier))
    old_status, old_percent = task.status, task.percent_done
    for day, status, percent, note, actor in steps:
        db.session.add(
            StatusUpdate(
                task=task,
                actor=actor,
                created_at=_moment(day),
                old_status=old_status,
                new_status=status,
                old_percent=old_percent,
                new_percent=percent,
                note=note,
            )
        )
        old_status, old_percent = status, percent
    task.status, task.percent_done = old_status, old_percent
