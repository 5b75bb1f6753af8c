"""Responsibilities and the duty catalogue of the demo bureau (called by orgs.demo after meetings).

Reproduces the seed report:
- 《文化和旅游局全面从严治党主体责任清单》: exactly 19 items for 党组 (7), 党组书记 (6) and 党组成员 (6).
  Eight derive their evidence from records already in the system (the 专题会, 中心组学习, 党组会议
  and 民主生活会 of meetings.demo; the members' liaison visits below), the others have evidence
  entered per period. In the first half of 2022 three items lack evidence: the secretary's review of
  the branches' reports in Q2, the members' visits to their branches (the liaison mechanism starts
  in July 2022 — the report's "下一步"), and the enterprise summaries of May and June.
- 一岗双责 for each leadership member, with the departments and units they are in charge of.
- 领导干部联系支部 from July 2022: one leader for each of the four 机关/馆 branches, with one or two
  activities a quarter; 图书馆党支部 has none in the last two quarters (the liaison alert).
- 《廉政风险点防控清单》: 5 risk points in 2 areas (政治安全领域, 文化旅游领域).
- 《履职清单》 over the 6 administrative departments: exactly 189 work tasks, 45 boundary divisions,
  27 workflow charts, 227 post duties, 23 post risk points and 23 control measures, generated from
  the phrase tables below (fictional but plausible for a culture and tourism bureau).

Everything goes through duties.services (one audit entry per record, actor 系统), deterministic
(fixed random seed; dates relative to today only after the seed's half-year).
"""

from __future__ import annotations

import datetime
import random

from core.periods import Period
from duties import coverage, services
from duties.models import Frequency, LiaisonKind, RiskCategory, StepKind, Subject
from orgs.models import Unit

SEED = 20220630
H1_2022 = Period.parse("2022H1")
EVIDENCE_FROM = datetime.date(2022, 1, 1)
LIAISON_START = datetime.date(2022, 7, 1)
LATER_EVIDENCE_RATE = 0.85

# ---------------------------------------------------------------- 主体责任清单 (19 items)

G, S, M = Subject.LEADING_GROUP, Subject.GROUP_SECRETARY, Subject.GROUP_MEMBER
F = Frequency
# (subject, content, frequency, derived_from or "", evidence note template or "")
ITEMS = [
    (G, "每季度至少召开1次党建工作专题会议，研究部署机关党建工作", F.QUARTER, "meetings.topic.party_building", ""),
    (G, "每季度至少召开1次党风廉政建设专题会议，分析研判党风廉政建设形势", F.QUARTER, "meetings.topic.integrity", ""),
    (G, "每半年至少召开1次意识形态工作专题会议，研判意识形态领域形势", F.HALF, "meetings.topic.ideology", ""),
    (
        G,
        "每半年至少专题研究1次网络意识形态工作，落实网络意识形态工作责任制",
        F.HALF,
        "meetings.topic.online_ideology",
        "",
    ),
    (G, "每年召开领导班子民主生活会，认真开展批评与自我批评", F.YEAR, "meetings.kind.democratic_life_meeting", ""),
    (
        G,
        "每年向市委报告全面从严治党主体责任落实情况",
        F.YEAR,
        "",
        "{year}年1月向市委报送{prev}年度落实全面从严治党主体责任情况报告",
    ),
    (
        G,
        "每月组织党组理论学习中心组学习，学习贯彻习近平新时代中国特色社会主义思想",
        F.MONTH,
        "meetings.kind.central_study",
        "",
    ),
    (S, "每年至少为全体党员干部讲1次党课", F.YEAR, "", "{year}年为全体党员干部讲授专题党课"),
    (S, "每半年至少主持召开1次党组会议专题研究党建工作", F.HALF, "meetings.kind.leading_group_meeting", ""),
    (
        S,
        "每年与班子成员、各支部书记开展谈心谈话",
        F.YEAR,
        "",
        "与班子成员、各支部书记逐一开展谈心谈话，了解思想和工作情况",
    ),
    (
        S,
        "每半年听取1次班子成员履行“一岗双责”情况汇报",
        F.HALF,
        "",
        "{label}听取班子成员履行“一岗双责”情况汇报，逐一点评并提出要求",
    ),
    (S, "组织制定全面从严治党主体责任清单，推动责任层层落实", F.ONCE, "", ""),
    (
        S,
        "每季度批阅各支部党建工作情况报告，提出指导意见",
        F.QUARTER,
        "",
        "{label}批阅各支部党建工作情况报告4份，提出指导意见",
    ),
    (M, "每季度至少到联系支部调研指导1次，参加联系支部组织生活", F.QUARTER, "duties.liaison.activities", ""),
    (
        M,
        "每半年至少在分管领域开展1次廉政提醒或讲1次廉政党课",
        F.HALF,
        "",
        "{label}在分管领域开展廉政提醒谈话，讲授廉政党课",
    ),
    (
        M,
        "每年督促指导分管单位开好民主生活会、组织生活会",
        F.YEAR,
        "",
        "按照分管领域督促指导下属单位开好{prev}年度民主生活会和组织生活会",
    ),
    (M, "每半年向党组报告1次履行“一岗双责”情况", F.HALF, "", "{label}向党组书面报告履行“一岗双责”情况"),
    (
        M,
        "每年参加纪委组织的廉政谈话，签订党风廉政建设责任书",
        F.YEAR,
        "",
        "参加纪委组织的{year}年廉政谈话，签订党风廉政建设责任书",
    ),
    (
        M,
        "每月对挂包企业走访情况进行汇总分析，更新重点工作台账",
        F.MONTH,
        "",
        "{label}对挂包企业走访情况进行汇总分析，更新重点工作台账",
    ),
]
# First-half-2022 exceptions: (item index, period code) without evidence, and special notes.
MISSING_H1 = {(12, "2022Q2"), (18, "2022-05"), (18, "2022-06")}
NOTES_2022 = {
    7: (
        "党员干部要算好清正廉洁七笔帐",
        "5月在机关党员大会上以《党员干部要算好清正廉洁七笔帐》为题为全体党员干部讲授党课",
    ),
    11: (
        None,
        "3月党风廉政专题会议审议通过《文化和旅游局全面从严治党主体责任清单》，针对局党组、党组书记、党组成员共制定责任项目19项",
    ),
    17: (None, "6月参加纪委组织的2022年廉政谈话，签订党风廉政建设责任书"),
}

# ---------------------------------------------------------------- 一岗双责

DUAL = [
    (
        "director",
        "主持局全面工作，履行全面从严治党第一责任人职责",
        [],
        [],
        "对全局党建工作和党风廉政建设负总责，做到重要工作亲自部署、重大问题亲自过问、重点环节亲自协调\n"
        "每年至少讲1次党课，定期听取班子成员“一岗双责”落实情况汇报\n带头落实民主集中制和“三重一大”集体决策制度",
    ),
    (
        "deputy1",
        "分管办公室、财务审计科，联系市文化馆",
        ["office", "finance"],
        ["culture"],
        "督促分管科室落实党风廉政建设责任，抓好公文、会务、财务和政府采购环节的廉政风险防控\n"
        "指导文化馆党支部开展组织生活，每季度至少到联系单位调研1次",
    ),
    (
        "party_sec",
        "分管组织人事科、机关党建和党风廉政建设工作",
        ["personnel"],
        [],
        "具体负责机关党建工作，组织落实“三会一课”、评星定级和书记抓党建述职评议\n"
        "抓好干部选拔任用、考核评价中的廉政风险防控，落实党风廉政建设责任制考核",
    ),
    (
        "deputy2",
        "分管公共服务科，联系市图书馆、市文物保护中心",
        ["service"],
        ["library", "relics"],
        "督促分管科室和单位落实意识形态工作责任制，把好展陈、演出和阅读推广内容关\n"
        "抓好文化惠民项目资金和文物保护工程中的廉政风险防控",
    ),
    (
        "deputy3",
        "分管产业发展科、市场管理科，联系市庄户剧团",
        ["industry", "market"],
        ["troupe"],
        "督促分管科室规范行政许可和行政执法行为，防止选择性执法\n带头联系走访挂包企业，做到“亲”而有度、“清”而有为",
    ),
]
UNIT_NAMES = {"culture": "文化馆", "library": "图书馆", "relics": "文物保护中心", "troupe": "庄户剧团"}

# ---------------------------------------------------------------- 领导干部联系支部

LIAISONS = [("party_sec", "b1"), ("deputy2", "b2"), ("deputy1", "b3"), ("deputy3", "b4")]
IDLE_BRANCH = "b4"  # 图书馆党支部: no activity in the last two quarters
LECTURES = [
    "坚定理想信念，践行初心使命",
    "以党建引领文旅高质量发展",
    "严守纪律规矩，锤炼过硬作风",
    "传承红色基因，讲好文旅故事",
    "学习党章党规，争做合格党员",
]
ACTIVITY_TEXT = {
    LiaisonKind.RESEARCH: "到{branch}调研指导支部标准化规范化建设，听取支部工作汇报，帮助解决实际困难",
    LiaisonKind.ORG_LIFE: "以普通党员身份参加{branch}主题党日活动，与支部党员交流学习体会",
    LiaisonKind.LECTURE: "为{branch}党员讲授专题党课《{title}》",
    LiaisonKind.TALK: "与{branch}书记、委员谈心谈话，了解支部班子建设和党员思想状况",
    LiaisonKind.OTHER: "指导{branch}开展“党员先锋”评选和评星定级自评工作",
}

# ---------------------------------------------------------------- 廉政风险点 (5 in 2 areas)

POLITICAL, CULTURE = "政治安全领域", "文化旅游领域"
RISKS = [
    (
        POLITICAL,
        "service",
        "公共文化服务岗",
        RiskCategory.POST,
        "公共文化场馆展陈、演出内容审核把关不严",
        "未严格履行内容审核程序，含有错误政治观点或不良导向的展览、演出进入公共文化场所",
        "高",
        "落实展陈、演出内容“三审”制度；建立意识形态工作责任清单，每季度研判一次；重大展演报局党组审定",
        "公共服务科科长",
        "分管副局长",
        "内容审核记录完整率100%",
    ),
    (
        POLITICAL,
        "office",
        "信息宣传岗",
        RiskCategory.PROCESS,
        "政务新媒体信息发布审核不严",
        "未经审核发布信息，出现政治性差错或泄露工作秘密",
        "中",
        "严格执行信息发布“三审三校”制度，明确专人管理账号；定期开展网络意识形态风险排查",
        "办公室主任",
        "分管副局长",
        "发布前审核率100%，政治性差错为0",
    ),
    (
        CULTURE,
        "market",
        "执法检查岗",
        RiskCategory.PROCESS,
        "文化旅游市场执法检查中选择性执法、随意减免处罚",
        "对同类违法行为处罚标准不一，接受当事人宴请、礼品后从轻处理",
        "高",
        "落实行政执法公示、执法全过程记录和重大执法决定法制审核制度；执法案卷定期评查",
        "市场管理科科长",
        "分管副局长",
        "执法案卷评查合格率100%",
    ),
    (
        CULTURE,
        "industry",
        "项目资金管理岗",
        RiskCategory.SYSTEM,
        "文旅产业扶持资金申报审核把关不严",
        "对申报材料审核不实，导致虚报冒领、重复申报扶持资金",
        "高",
        "扶持资金申报、评审、拨付全过程公开；实行专家评审和集体研究；资金使用开展绩效评价",
        "产业发展科科长",
        "分管副局长",
        "资金拨付公示率100%",
    ),
    (
        CULTURE,
        "industry",
        "景区管理岗",
        RiskCategory.EXTERNAL,
        "A级旅游景区评定复核中接受评定对象宴请、礼品",
        "降低评定标准、干预评定结果，为评定对象谋取利益",
        "中",
        "评定实行专家组打分和回避制度，评定结果公示；签订廉洁评审承诺书",
        "产业发展科科长",
        "分管副局长",
        "评定结果公示率100%，有效投诉为0",
    ),
]

# ---------------------------------------------------------------- 履职清单 phrase tables

COUNTS = {
    "office": {"tasks": 34, "divisions": 8, "charts": 5, "duties": 40},
    "personnel": {"tasks": 30, "divisions": 7, "charts": 4, "duties": 36},
    "finance": {"tasks": 28, "divisions": 7, "charts": 4, "duties": 35},
    "service": {"tasks": 33, "divisions": 8, "charts": 5, "duties": 40},
    "industry": {"tasks": 31, "divisions": 7, "charts": 4, "duties": 36},
    "market": {"tasks": 33, "divisions": 8, "charts": 5, "duties": 40},
}
CATALOGUE_DEPARTMENTS = tuple(COUNTS)

COMMON_TASKS = [
    "承担本科室党风廉政建设和意识形态工作责任",
    "编制本科室年度工作计划并做好半年、年度总结",
    "做好本科室政务信息报送和政务公开工作",
    "承办涉及本科室职责的人大代表建议、政协委员提案",
    "办理涉及本科室职责的信访和民生诉求事项",
    "落实本科室安全生产和保密工作责任",
    "组织本科室干部业务学习和周末课堂授课",
    "做好本科室文件材料的整理和归档",
    "配合做好全局重点工作和“四张清单”落实",
    "完成局党组交办的其他事项",
]

# department: (objects, task templates)
TASK_TABLES = {
    "office": (
        [
            "公文处理",
            "会务组织",
            "督查督办",
            "机要保密",
            "档案管理",
            "政务信息",
            "政务公开",
            "信访接待",
            "安全生产",
            "后勤保障",
            "新闻宣传",
            "建议提案办理",
        ],
        ["牵头负责局机关{o}工作", "制定{o}工作制度并监督执行", "组织{o}工作的检查和考核"],
    ),
    "personnel": (
        [
            "干部选拔任用",
            "干部教育培训",
            "公务员平时考核",
            "年度考核",
            "人事档案管理",
            "工资福利",
            "机构编制",
            "职称评审",
            "人才引进",
            "离退休干部服务",
            "机关党建",
            "党员发展",
        ],
        ["承担{o}工作", "拟订{o}相关制度和年度计划", "做好{o}的统计和材料归档"],
    ),
    "finance": (
        [
            "部门预算编制",
            "预算执行",
            "国库集中支付",
            "政府采购",
            "国有资产管理",
            "专项资金管理",
            "内部审计",
            "财务决算",
            "票据管理",
            "会计核算",
            "下属单位财务监督",
            "绩效评价",
        ],
        ["负责{o}工作", "健全{o}内部控制制度", "开展{o}情况的分析和监督检查"],
    ),
    "service": (
        [
            "公共文化服务体系建设",
            "文化馆图书馆业务指导",
            "群众文化活动组织",
            "非物质文化遗产保护",
            "文物保护",
            "农家书屋建设",
            "文化惠民演出",
            "全民阅读推广",
            "公共文化设施管理",
            "文艺精品创作",
            "文化志愿服务",
            "数字文化建设",
        ],
        ["统筹推进{o}工作", "制定{o}年度计划并组织实施", "开展{o}的调研和绩效评估"],
    ),
    "industry": (
        [
            "文化旅游产业规划",
            "文旅项目招引",
            "重点项目建设",
            "文旅康养产业链",
            "A级景区创建",
            "旅游度假区建设",
            "乡村旅游发展",
            "文旅消费促进",
            "旅游宣传推广",
            "节庆会展活动",
            "文创产品开发",
            "产业统计分析",
        ],
        ["牵头负责{o}工作", "研究拟订{o}政策措施", "做好{o}的调度、统计和督导"],
    ),
    "market": (
        [
            "文化市场行政许可",
            "旅游市场监管",
            "文化市场综合执法指导",
            "旅行社管理",
            "导游管理",
            "星级饭店评定",
            "演出市场管理",
            "网吧娱乐场所监管",
            "旅游投诉处理",
            "信用文旅体系建设",
            "文旅行业安全生产监管",
            "文旅领域疫情防控指导",
        ],
        ["依法承担{o}工作", "制定{o}工作规范并组织实施", "开展{o}的检查和专项整治"],
    ),
}

# department: (head post, deputy post, {staff post: [objects]})
POSTS = {
    "office": (
        "办公室主任",
        "办公室副主任",
        {
            "文秘岗": ["公文处理", "会务组织"],
            "机要岗": ["机要保密", "印章管理"],
            "督查督办岗": ["督查督办", "建议提案办理"],
            "信息宣传岗": ["政务信息", "新闻宣传"],
            "档案管理岗": ["档案管理", "政务公开"],
            "后勤保障岗": ["后勤保障", "安全生产"],
        },
    ),
    "personnel": (
        "科长",
        "副科长",
        {
            "干部管理岗": ["干部选拔任用", "人事档案管理"],
            "教育培训岗": ["干部教育培训", "青苗工程培训计划"],
            "考核岗": ["公务员平时考核", "年度考核"],
            "工资福利岗": ["工资福利", "社会保险"],
            "党建工作岗": ["机关党建", "党员发展"],
            "老干部服务岗": ["离退休干部服务", "老干部活动组织"],
        },
    ),
    "finance": (
        "科长",
        "副科长",
        {
            "预算岗": ["部门预算编制", "预算执行"],
            "会计岗": ["会计核算", "财务决算"],
            "出纳岗": ["资金收付", "票据管理"],
            "资产管理岗": ["国有资产管理", "资产清查"],
            "政府采购岗": ["政府采购", "采购合同管理"],
            "内审岗": ["内部审计", "下属单位财务监督"],
        },
    ),
    "service": (
        "科长",
        "副科长",
        {
            "公共文化岗": ["公共文化服务体系建设", "公共文化设施管理"],
            "群众文化岗": ["群众文化活动组织", "文化惠民演出"],
            "非遗保护岗": ["非物质文化遗产保护", "非遗传承人管理"],
            "文物保护岗": ["文物保护", "文物安全巡查"],
            "阅读推广岗": ["全民阅读推广", "农家书屋建设"],
            "数字文化岗": ["数字文化建设", "线上展览"],
        },
    ),
    "industry": (
        "科长",
        "副科长",
        {
            "产业规划岗": ["文化旅游产业规划", "文旅康养产业链"],
            "项目招引岗": ["文旅项目招引", "重点项目建设"],
            "景区管理岗": ["A级景区创建", "旅游度假区建设"],
            "乡村旅游岗": ["乡村旅游发展", "文创产品开发"],
            "宣传推广岗": ["旅游宣传推广", "节庆会展活动"],
            "统计分析岗": ["产业统计分析", "文旅消费监测"],
        },
    ),
    "market": (
        "科长",
        "副科长",
        {
            "行政许可岗": ["文化市场行政许可", "许可档案管理"],
            "旅游市场监管岗": ["旅行社管理", "导游管理"],
            "演出市场管理岗": ["营业性演出审批", "网吧娱乐场所监管"],
            "执法指导岗": ["文化市场综合执法指导", "信用文旅体系建设"],
            "投诉处理岗": ["旅游投诉处理", "民生诉求办理"],
            "安全监管岗": ["文旅行业安全生产监管", "星级饭店评定"],
        },
    ),
}
HEAD_DUTIES = [
    "主持科室全面工作，组织落实年度工作任务",
    "履行科室党风廉政建设和意识形态工作“一岗双责”",
    "审核科室拟办的文件、报表和请示",
    "协调与其他科室的边界分工事项",
    "组织科室干部业务学习和平时考核",
]
DEPUTY_DUTIES = [
    "协助科室负责人做好日常工作",
    "分管科室{o1}、{o2}等业务",
    "科室负责人外出时代为主持工作",
    "做好分管业务的廉政风险防控",
]
STAFF_DUTIES = [
    "承办{o}的具体事务",
    "建立并管理{o}工作台账",
    "按时报送{o}相关信息和数据",
    "落实{o}环节的廉政风险防控措施",
]

# lead department: [(matter, [assisting departments])]
DIVISIONS = {
    "office": [
        ("局党组会议、局长办公会议的组织筹备", ["personnel"]),
        ("重要文稿和综合材料起草", ["service", "industry"]),
        ("市委市政府督查事项的分解落实", ["service", "industry", "market"]),
        ("人大代表建议和政协委员提案办理", ["service", "industry", "market"]),
        ("政务信息报送和政务公开", ["personnel", "finance"]),
        ("信访和民生诉求事项的受理转办", ["market", "service"]),
        ("机关安全生产和消防安全管理", ["finance"]),
        ("重大活动的后勤保障", ["finance", "industry"]),
    ],
    "personnel": [
        ("干部队伍建设和年度考核", ["office"]),
        ("机关党建和党员教育管理", ["office"]),
        ("党风廉政建设责任制落实", ["office", "finance"]),
        ("干部教育培训和周末课堂", ["service", "industry", "market"]),
        ("机构编制和岗位设置", ["finance"]),
        ("离退休干部服务管理", ["office", "finance"]),
        ("人才引进和专业技术人员管理", ["service", "industry"]),
    ],
    "finance": [
        ("部门预算编制和执行", ["office", "service", "industry", "market"]),
        ("政府采购项目的组织实施", ["office"]),
        ("专项资金绩效评价", ["service", "industry"]),
        ("国有资产清查和处置", ["office"]),
        ("下属单位财务审计", ["personnel"]),
        ("财务信息公开", ["office"]),
        ("公务卡和公务接待费用管理", ["office"]),
    ],
    "service": [
        ("公共文化服务体系示范区创建", ["industry", "finance"]),
        ("文化惠民演出和“文化进万家”活动", ["market", "finance"]),
        ("全民阅读和读书朗诵大赛", ["office"]),
        ("非物质文化遗产项目申报", ["industry"]),
        ("文物安全和文物保护工程", ["market", "finance"]),
        ("红色文化资源保护利用", ["industry", "personnel"]),
        ("群众文艺精品创作扶持", ["finance"]),
        ("公共文化设施免费开放", ["finance", "market"]),
    ],
    "industry": [
        ("文旅重点项目招引和建设调度", ["finance", "office"]),
        ("文旅康养产业链工作推进", ["service", "market"]),
        ("A级景区创建和复核", ["market"]),
        ("文化旅游节庆活动组织", ["service", "office", "market"]),
        ("旅游宣传推广和品牌营销", ["service", "office"]),
        ("文旅消费促进活动", ["market"]),
        ("挂包企业走访和惠企政策落实", ["market", "finance"]),
    ],
    "market": [
        ("文化市场综合执法协调", ["industry"]),
        ("旅游市场秩序专项整治", ["industry", "office"]),
        ("旅游投诉和民生诉求办理", ["office"]),
        ("文旅行业安全生产监管", ["office", "industry", "service"]),
        ("营业性演出审批和监管", ["service"]),
        ("星级饭店评定和复核", ["industry"]),
        ("文旅领域疫情防控", ["office", "service", "industry"]),
        ("信用文旅体系建设", ["industry", "office"]),
    ],
}
DIVISION_NOTE = "由{lead}牵头制定方案、统筹推进，{assist}按职责分工配合"

# Flowchart patterns: (kind, text, actor key, yes_to, no_to); actor keys: post / head / leader / other.
P = StepKind
APPROVAL = [
    (P.START, "{x}", "applicant", None, None),
    (P.PROCESS, "受理并登记", "post", None, None),
    (P.DECISION, "材料是否齐全", "post", 5, 4),
    (P.PROCESS, "一次性告知需补正的材料", "post", 2, None),
    (P.PROCESS, "审核并提出意见", "post", None, None),
    (P.DECISION, "是否符合条件", "head", None, 9),
    (P.PROCESS, "分管领导审批", "leader", None, None),
    (P.PROCESS, "办理并送达结果", "post", 10, None),
    (P.PROCESS, "书面告知不予办理的理由", "post", None, None),
    (P.END, "资料归档", "post", None, None),
]
INTERNAL = [
    (P.START, "{x}", "post", None, None),
    (P.PROCESS, "拟定工作方案", "post", None, None),
    (P.PROCESS, "科室负责人审核", "head", None, None),
    (P.PROCESS, "分管领导审定", "leader", None, None),
    (P.DECISION, "是否涉及其他科室", "head", None, 7),
    (P.PROCESS, "会同相关科室办理", "other", None, None),
    (P.PROCESS, "组织实施", "post", None, None),
    (P.PROCESS, "总结并报告结果", "post", None, None),
    (P.END, "资料归档", "post", None, None),
]
INSPECTION = [
    (P.START, "{x}", "head", None, None),
    (P.PROCESS, "确定检查对象和检查人员", "head", None, None),
    (P.PROCESS, "实施现场检查并记录", "post", None, None),
    (P.DECISION, "是否发现问题", "post", None, 8),
    (P.PROCESS, "下达整改通知", "post", None, None),
    (P.PROCESS, "跟踪整改落实", "post", None, None),
    (P.DECISION, "是否整改到位", "head", None, 5),
    (P.PROCESS, "形成检查报告", "post", None, None),
    (P.END, "归档备查", "post", None, None),
]
PAYMENT = [
    (P.START, "{x}", "applicant", None, None),
    (P.PROCESS, "科室负责人审核", "head", None, None),
    (P.DECISION, "是否超过集体研究限额", "head", None, 5),
    (P.PROCESS, "提交局党组会议集体研究", "leader", None, None),
    (P.PROCESS, "分管领导审批", "leader", None, None),
    (P.PROCESS, "审核票据和支出依据", "accountant", None, None),
    (P.DECISION, "票据是否合规", "accountant", None, 1),
    (P.PROCESS, "支付并记账", "cashier", None, None),
    (P.END, "凭证归档", "accountant", None, None),
]
PATTERNS = {"approval": APPROVAL, "internal": INTERNAL, "inspection": INSPECTION, "payment": PAYMENT}
# department: [(chart name, pattern, first step text, post)]
CHARTS = {
    "office": [
        ("公文办理流程", "internal", "接收上级来文", "文秘岗"),
        ("会议筹备流程", "internal", "确定会议议题", "文秘岗"),
        ("督查督办流程", "inspection", "制定督查计划", "督查督办岗"),
        ("用印审批流程", "approval", "经办人提出用印申请", "机要岗"),
        ("公务接待费用报销流程", "payment", "经办人提出报销申请", "后勤保障岗"),
    ],
    "personnel": [
        ("干部选拔任用流程", "internal", "分析研判干部队伍状况", "干部管理岗"),
        ("年度考核流程", "internal", "下发年度考核通知", "考核岗"),
        ("干部请休假审批流程", "approval", "干部提出请休假申请", "干部管理岗"),
        ("培训经费报销流程", "payment", "经办人提出报销申请", "教育培训岗"),
    ],
    "finance": [
        ("经费报销流程", "payment", "经办人提出报销申请", "会计岗"),
        ("政府采购流程", "approval", "采购科室提出采购需求", "政府采购岗"),
        ("国有资产处置流程", "approval", "使用科室提出处置申请", "资产管理岗"),
        ("预算调整流程", "payment", "科室提出预算调整申请", "预算岗"),
    ],
    "service": [
        ("文化惠民项目申报流程", "approval", "申报单位提交项目申请", "公共文化岗"),
        ("非遗项目申报流程", "approval", "申报单位提交非遗项目材料", "非遗保护岗"),
        ("群众文化活动组织流程", "internal", "确定活动主题", "群众文化岗"),
        ("文物保护工程验收流程", "inspection", "制定验收工作方案", "文物保护岗"),
        ("公共文化设施检查流程", "inspection", "制定年度检查计划", "公共文化岗"),
    ],
    "industry": [
        ("文旅项目招引流程", "internal", "收集项目线索", "项目招引岗"),
        ("产业扶持资金申报流程", "approval", "企业提交扶持资金申请", "项目招引岗"),
        ("A级景区评定流程", "inspection", "制定评定工作计划", "景区管理岗"),
        ("节庆活动组织流程", "internal", "确定节庆活动方案", "宣传推广岗"),
    ],
    "market": [
        ("行政许可办理流程", "approval", "申请人提交许可申请", "行政许可岗"),
        ("执法检查流程", "inspection", "制定执法检查计划", "执法指导岗"),
        ("旅游投诉处理流程", "internal", "接收旅游投诉", "投诉处理岗"),
        ("营业性演出审批流程", "approval", "演出单位提交演出申请", "演出市场管理岗"),
        ("安全生产检查流程", "inspection", "制定安全生产检查计划", "安全监管岗"),
    ],
}
# department: [(post, risk, level, measure)] — 23 in all
POST_RISKS = {
    "office": [
        (
            "机要岗",
            "涉密文件管理不规范，存在失泄密风险",
            "中",
            "严格执行涉密文件登记、传阅、清退制度，每季度开展保密自查",
        ),
        (
            "后勤保障岗",
            "公务接待和办公用品采购中虚报、多报费用",
            "高",
            "公务接待实行“一事一单”审批，办公用品采购纳入政府采购并定期公示",
        ),
        ("督查督办岗", "督办事项跟踪不到位，选择性督办", "低", "建立督办事项台账，实行销号管理，每月通报办理情况"),
        ("文秘岗", "印章使用审批把关不严", "中", "落实用印审批登记制度，印章专人保管、双人用印"),
    ],
    "personnel": [
        (
            "干部管理岗",
            "干部选拔任用中程序不规范、考察失真",
            "高",
            "严格执行干部选拔任用工作条例，全程纪实，接受纪检监督",
        ),
        ("考核岗", "考核评价中打人情分、凭印象定等次", "中", "坚持定性与定量相结合，考核结果集体研究并公示"),
        ("工资福利岗", "工资津补贴核定不准确，违规发放", "中", "工资变动实行经办、审核、审批三级把关，按月核对"),
        ("教育培训岗", "培训经费使用不规范", "低", "培训计划报局党组审定，经费按标准据实列支"),
    ],
    "finance": [
        ("出纳岗", "资金收付管理不严，存在挪用公款风险", "高", "实行钱账分管，每月盘点库存现金，银行对账单由会计核对"),
        ("政府采购岗", "政府采购中规避招标、指定供应商", "高", "严格执行政府采购目录和限额标准，采购需求和结果公开"),
        ("会计岗", "报销审核把关不严，票据不合规", "中", "严格执行报销审批制度，发票逐张查验真伪"),
        ("资产管理岗", "国有资产处置不按程序，造成资产流失", "中", "资产处置按规定报批，评估后公开处置"),
    ],
    "service": [
        ("公共文化岗", "文化惠民项目资金分配不公开", "高", "项目资金分配集体研究，分配结果公开公示"),
        ("非遗保护岗", "非遗项目和传承人认定中优亲厚友", "中", "实行专家评审、集体决策和公示制度"),
        ("群众文化岗", "文化活动承办单位选择不规范", "中", "承办单位通过公开比选确定，比选过程全程留痕"),
        ("文物保护岗", "文物保护工程验收把关不严", "中", "实行第三方监理和联合验收，验收资料存档备查"),
    ],
    "industry": [
        ("项目招引岗", "招商引资和项目扶持中违规承诺、收受好处", "高", "扶持政策公开透明，项目资金拨付经集体研究"),
        ("景区管理岗", "A级景区评定中降低标准、接受宴请", "中", "评定实行专家组打分和回避制度，结果公示"),
        ("宣传推广岗", "宣传推广费用支出不规范", "中", "宣传推广项目按政府采购程序实施，支出凭证齐全"),
    ],
    "market": [
        ("行政许可岗", "行政许可审批中随意降低条件、超时限办理", "高", "许可事项进驻政务服务大厅，办理流程和时限公开"),
        (
            "执法指导岗",
            "执法检查中选择性执法、随意减免处罚",
            "高",
            "落实行政执法公示、全过程记录和重大执法决定法制审核制度",
        ),
        ("投诉处理岗", "旅游投诉处理推诿拖延、偏袒一方", "中", "投诉即收即转即办，限时办结并回访"),
        ("演出市场管理岗", "营业性演出审批中内容审核不严", "中", "演出内容实行双人审核，重大演出报局党组研究"),
    ],
}


# ---------------------------------------------------------------- generators


def tasks_for(key: str) -> list[tuple[str, str]]:
    """(content, basis) for a department: the common tasks, then its own (object × template)."""
    objects, templates = TASK_TABLES[key]
    need = COUNTS[key]["tasks"] - len(COMMON_TASKS)
    own = [(t.format(o=o), "局“三定”方案" if i == 0 else "") for i, t in enumerate(templates) for o in objects]
    return [(t, "") for t in COMMON_TASKS[:3]] + own[:need] + [(t, "") for t in COMMON_TASKS[3:]]


def post_duties_for(key: str) -> list[tuple[str, str]]:
    """(post, duty) for a department, taken round-robin over its posts up to the department's count."""
    head, deputy, staff = POSTS[key]
    objects = [o for objs in staff.values() for o in objs]
    queues = [
        (head, list(HEAD_DUTIES)),
        (deputy, [d.format(o1=objects[0], o2=objects[2]) for d in DEPUTY_DUTIES]),
        *[(post, [t.format(o=o) for o in objs for t in STAFF_DUTIES]) for post, objs in staff.items()],
    ]
    need = COUNTS[key]["duties"]
    result: list[tuple[str, str]] = []
    while len(result) < need:
        progressed = False
        for post, queue in queues:
            if queue and len(result) < need:
                result.append((post, queue.pop(0)))
                progressed = True
        if not progressed:
            raise ValueError(f"not enough post duties for {key}")
    return result


def chart_steps(pattern: str, first: str, post: str) -> list[services.StepRow]:
    actors = {
        "applicant": "经办人",
        "post": post,
        "head": "科室负责人",
        "leader": "分管领导",
        "other": "相关科室",
        "accountant": "会计岗",
        "cashier": "出纳岗",
    }
    return [
        services.StepRow(number=i, kind=kind, text=text.format(x=first), actor=actors[actor], yes_to=yes, no_to=no)
        for i, (kind, text, actor, yes, no) in enumerate(PATTERNS[pattern], start=1)
    ]


# ---------------------------------------------------------------- builder


def _slots(frequency: str, until: datetime.date) -> list[Period]:
    """The periods of a frequency from 2022 up to the last one that has ended before `until`."""
    if frequency == Frequency.ONCE:
        return []
    result = []
    day = EVIDENCE_FROM
    while True:
        p = Period.containing(frequency, day)
        if p.end >= until:
            break
        result.append(p)
        day = p.end + datetime.timedelta(days=1)
    return result


def _label(p: Period) -> str:
    return p.label


def _done_on(rng: random.Random, p: Period, today: datetime.date) -> datetime.date:
    end = min(p.end, today)
    span = max(0, (end - p.start).days)
    return p.start + datetime.timedelta(days=rng.randint(span // 2, span))


def build(*, orgs, people, users, departments, today, log, **_):
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    root = orgs["root"]
    actor = None

    log("主体责任清单：19 项责任项目及落实佐证")
    items = []
    for i, (subject, content, frequency, derived, _note) in enumerate(ITEMS):
        items.append(
            services.item_create(
                actor=actor,
                data={
                    "organization": root,
                    "subject": subject,
                    "content": content,
                    "frequency": frequency,
                    "order": i + 1,
                    "derived_from": derived,
                },
            )
        )
    lecture_day = _lecture_day()
    for i, (item, (_s, _c, frequency, derived, note)) in enumerate(zip(items, ITEMS, strict=True)):
        if derived:
            continue
        if frequency == Frequency.ONCE:
            services.evidence_add(
                actor=actor,
                data={
                    "item": item,
                    "period_code": "2022",
                    "done_on": datetime.date(2022, 3, 30),
                    "note": NOTES_2022[i][1],
                },
            )
            continue
        for p in _slots(frequency, today):
            if (i, p.code) in MISSING_H1:
                continue
            in_h1 = p.start >= H1_2022.start and p.end <= H1_2022.end or p.code == "2022"
            if not in_h1 and rng.random() > LATER_EVIDENCE_RATE:
                continue
            text = note.format(label=_label(p), year=p.start.year, prev=p.start.year - 1)
            done_on = _done_on(rng, p, today)
            if p.code == "2022" and i in NOTES_2022:
                text = NOTES_2022[i][1]
                done_on = lecture_day if i == 7 and lecture_day else datetime.date(2022, 6, 20)
            if frequency == Frequency.YEAR and i == 5:
                done_on = datetime.date(p.start.year, 1, 20)
            services.evidence_add(
                actor=actor, data={"item": item, "period_code": p.code, "done_on": done_on, "note": text}
            )

    log("一岗双责：5 名班子成员")
    units = _units()
    for key, areas, depts, unit_keys, duties in DUAL:
        services.dual_create(
            actor=actor,
            data={
                "person": people[key],
                "organization": root,
                "areas": areas,
                "departments": [departments[d] for d in depts],
                "units": [units[u] for u in unit_keys if u in units],
                "duties": duties,
                "valid_from": datetime.date(2022, 1, 1),
            },
        )

    log("领导干部联系支部：4 个支部及联系活动")
    _liaisons(rng, orgs, people, today)

    log("廉政风险点防控清单：2 大领域 5 条")
    for i, (area, dept, post, category, risk, manifestation, level, measures, person, leader, indicator) in enumerate(
        RISKS, start=1
    ):
        services.risk_create(
            actor=actor,
            data={
                "organization": root,
                "order": i,
                "area": area,
                "department": departments[dept],
                "post": post,
                "category": category,
                "risk_point": risk,
                "manifestation": manifestation,
                "level": level,
                "measures": measures,
                "responsible_person": person,
                "responsible_leader": leader,
                "indicator": indicator,
            },
        )

    log("履职清单：6 个科室")
    _catalogue(departments)
    coverage.rebuild()  # whatever wrote records without their services before


def _lecture_day() -> datetime.date | None:
    from meetings.models import Meeting

    meeting = Meeting.objects.filter(topic=NOTES_2022[7][0]).order_by("held_on").first()
    return meeting.held_on if meeting else None


def _units() -> dict[str, Unit]:
    found = {}
    for key, word in UNIT_NAMES.items():
        unit = Unit.objects.filter(name__endswith=word).order_by("pk").first()
        if unit is not None:
            found[key] = unit
    return found


def _liaisons(rng: random.Random, orgs, people, today: datetime.date) -> None:
    current = Period.containing("quarter", today)
    previous = Period.containing("quarter", current.start - datetime.timedelta(days=1))
    kinds = list(LiaisonKind)
    for n, (leader_key, branch_key) in enumerate(LIAISONS):
        branch = orgs[branch_key]
        liaison = services.liaison_create(
            actor=None,
            data={
                "leader": people[leader_key],
                "branch": branch,
                "start_on": LIAISON_START,
                "note": "每季度至少到联系支部开展1次调研指导或参加1次组织生活",
            },
        )
        quarter = Period.containing("quarter", LIAISON_START)
        k = n
        while quarter.start <= today:
            idle = branch_key == IDLE_BRANCH and quarter in (current, previous)
            if not idle:
                for _ in range(rng.choice((1, 1, 2))):
                    end = min(quarter.end, today)
                    day = quarter.start + datetime.timedelta(days=rng.randint(0, max(0, (end - quarter.start).days)))
                    kind = kinds[k % len(kinds)]
                    k += 1
                    text = ACTIVITY_TEXT[kind].format(branch=branch.name, title=LECTURES[k % len(LECTURES)])
                    services.activity_create(
                        actor=None, data={"liaison": liaison, "held_on": day, "kind": kind, "content": text}
                    )
            quarter = Period.containing("quarter", quarter.end + datetime.timedelta(days=1))


def _catalogue(departments) -> None:
    for key in CATALOGUE_DEPARTMENTS:
        dept = departments[key]
        for order, (content, basis) in enumerate(tasks_for(key), start=1):
            services.task_create(
                actor=None, data={"department": dept, "order": order, "content": content, "basis": basis}
            )
        for order, (matter, assist) in enumerate(DIVISIONS[key], start=1):
            helpers = [departments[a] for a in assist]
            services.division_create(
                actor=None,
                data={
                    "lead_department": dept,
                    "order": order,
                    "matter": matter,
                    "assisting_departments": helpers,
                    "note": DIVISION_NOTE.format(lead=dept.name, assist="、".join(h.name for h in helpers)),
                },
            )
        for order, (name, pattern, first, post) in enumerate(CHARTS[key], start=1):
            chart = services.flowchart_create(actor=None, data={"department": dept, "order": order, "name": name})
            services.flowchart_set_steps(actor=None, chart=chart, rows=chart_steps(pattern, first, post))
        for order, (post, duty) in enumerate(post_duties_for(key), start=1):
            services.post_duty_create(actor=None, data={"department": dept, "post": post, "order": order, "duty": duty})
        for order, (post, risk, level, measure) in enumerate(POST_RISKS[key], start=1):
            point = services.post_risk_create(
                actor=None, data={"department": dept, "post": post, "order": order, "risk": risk, "level": level}
            )
            services.measure_create(actor=None, data={"risk_point": point, "order": 1, "measure": measure})
