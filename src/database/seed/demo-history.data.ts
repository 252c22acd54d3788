/**
 * The invented enterprises and texts of the demo history (demo-history.ts): firms in every city of the
 * province, mostly SMEs and a few large ones, each with one staff account (password demo-pass-2024).
 * Everything is marked 演示 / Demo like the rest of the demo data.
 */
import type { ChainStage, Direction } from '../../catalogue/demo/demo-catalogue.types';

export interface HistoryEnterprise {
  key: string;
  nameZh: string;
  nameEn: string;
  cityCode: string;
  sme: boolean;
  directions: Direction[];
  email: string;
  displayName: string;
}

const firm = (n: number, cityCode: string, sme: boolean, nameZh: string, nameEn: string, directions: Direction[]): HistoryEnterprise => ({
  key: `ent${String(n).padStart(2, '0')}`,
  nameZh: `演示·${nameZh}`,
  nameEn: `Demo ${nameEn}`,
  cityCode,
  sme,
  directions,
  email: `ent${String(n).padStart(2, '0')}@demo.local`,
  displayName: `Demo staff ${String(n).padStart(2, '0')} ${nameZh.slice(0, 4)}`,
});

export const HISTORY_ENTERPRISES: HistoryEnterprise[] = [
  firm(1, '210100', true, '沈阳智造视觉科技有限公司', 'Shenyang Smart Vision Tech Co.', ['artificial_intelligence']),
  firm(2, '210100', true, '沈阳生物医药中试有限公司', 'Shenyang Biopharma Pilot Co.', ['life_health']),
  firm(3, '210100', false, '辽宁重型装备集团有限公司', 'Liaoning Heavy Equipment Group', ['new_materials', 'green_low_carbon']),
  firm(4, '210200', true, '大连海洋传感器有限公司', 'Dalian Marine Sensors Co.', ['deep_sea_earth_space']),
  firm(5, '210200', true, '大连储能材料科技有限公司', 'Dalian Energy Storage Materials Co.', ['new_energy', 'new_materials']),
  firm(6, '210200', false, '大连石化新材料股份有限公司', 'Dalian Petrochemical New Materials plc', ['new_materials']),
  firm(7, '210300', true, '鞍山特种钢粉末有限公司', 'Anshan Special Steel Powder Co.', ['new_materials']),
  firm(8, '210300', true, '鞍山光伏组件科技有限公司', 'Anshan PV Module Tech Co.', ['new_energy']),
  firm(9, '210400', true, '抚顺精细化工有限公司', 'Fushun Fine Chemicals Co.', ['green_low_carbon', 'new_materials']),
  firm(10, '210500', true, '本溪中药现代化有限公司', 'Benxi Modern TCM Co.', ['life_health']),
  firm(11, '210600', true, '丹东仪器仪表有限公司', 'Dandong Instruments Co.', ['artificial_intelligence', 'new_materials']),
  firm(12, '210700', true, '锦州硅材料科技有限公司', 'Jinzhou Silicon Materials Co.', ['new_energy', 'new_materials']),
  firm(13, '210800', true, '营口镁质新材料有限公司', 'Yingkou Magnesia Materials Co.', ['new_materials', 'green_low_carbon']),
  firm(14, '210900', true, '阜新风电运维科技有限公司', 'Fuxin Wind O&M Tech Co.', ['new_energy', 'artificial_intelligence']),
  firm(15, '211000', true, '辽阳芳烃新材料有限公司', 'Liaoyang Aromatics Materials Co.', ['new_materials']),
  firm(16, '211100', true, '盘锦油气装备科技有限公司', 'Panjin Oil & Gas Equipment Co.', ['deep_sea_earth_space', 'green_low_carbon']),
  firm(17, '211200', true, '铁岭农业生物科技有限公司', 'Tieling Agri-Biotech Co.', ['life_health', 'green_low_carbon']),
  firm(18, '211300', true, '朝阳新能源汽车零部件有限公司', 'Chaoyang NEV Components Co.', ['new_energy']),
  firm(19, '211400', true, '葫芦岛船舶配套科技有限公司', 'Huludao Marine Equipment Co.', ['deep_sea_earth_space']),
  firm(20, '210100', true, '沈阳大模型应用科技有限公司', 'Shenyang LLM Applications Co.', ['artificial_intelligence']),
  firm(21, '210200', true, '大连基因检测科技有限公司', 'Dalian Genomics Co.', ['life_health', 'artificial_intelligence']),
  firm(22, '210300', false, '鞍钢集团新材料研究院', 'Ansteel New Materials Institute', ['new_materials', 'green_low_carbon']),
  firm(23, '210900', true, '阜新碳中和科技有限公司', 'Fuxin Carbon Neutral Tech Co.', ['green_low_carbon']),
  firm(24, '210100', false, '沈阳航空发动机部件股份有限公司', 'Shenyang Aero-Engine Parts plc', ['new_materials', 'deep_sea_earth_space']),
];

/** What a booking is for, by the facility's first direction (the purpose text of the request). */
export const PURPOSES: Record<Direction, string[]> = {
  artificial_intelligence: ['视觉检测模型训练与验证', '工业大模型微调', '边缘推理性能测试', '数据标注与清洗'],
  new_energy: ['电芯循环寿命测试', '正极材料公斤级放大', '光伏组件可靠性测试', '储能系统安全验证'],
  new_materials: ['粉末球化工艺放大', '合金成分小批量试制', '复合材料力学性能检测', '涂层耐腐蚀试验'],
  green_low_carbon: ['低碳工艺中试验证', '催化剂寿命评价', '废弃物资源化试验', '碳排放核算测试'],
  deep_sea_earth_space: ['耐压舱体型式试验', '海洋传感器标定', '遥感数据处理', '振动与冲击试验'],
  life_health: ['制剂工艺放大', '微生物发酵中试', '生物样本检测', '药物稳定性研究'],
};

export const REJECT_REASONS = [
  '该时段已安排设备检修，请改约其他时段',
  '样品安全资料不全，请补充后重新申请',
  '所需工艺条件超出设备能力',
  '申请用途与平台服务范围不符',
];
export const CANCEL_REASONS = ['样品未能按期到货', '项目计划调整', '改期至下月', '内部评审未通过，暂缓试验'];
export const MAINTENANCE_REASONS = ['年度计量校准', '设备定期保养', '真空系统检修', '电力增容施工', '安全阀年检'];
export const CORRECTION_NOTES = ['补录：实际使用时长以运行日志为准', '更正：登记的使用单元数有误', '更正：签出时间漏记'];

/** Chain projects of the history: advanced from lab validation through pilot maturation, a few to industrialisation. */
export interface HistoryProject {
  enterprise: string;
  titleZh: string;
  titleEn: string;
  direction: Direction;
  /** Days before the load day the project started, and the stages it reached with the day each was entered. */
  startedDaysAgo: number;
  advances: Array<{ stage: ChainStage; daysAgo: number; evidence: string }>;
}

export const HISTORY_PROJECTS: HistoryProject[] = [
  {
    enterprise: 'ent05',
    titleZh: '演示·高镍正极材料公斤级放大',
    titleEn: 'Demo: kilogram scale-up of high-nickel cathode',
    direction: 'new_energy',
    startedDaysAgo: 340,
    advances: [
      { stage: 'pilot_maturation', daysAgo: 220, evidence: '实验室 50 g 批次容量保持率 92%（500 周）' },
      { stage: 'industrialisation', daysAgo: 45, evidence: '中试线连续 3 批 200 kg 一致性合格，签订首条产线协议' },
    ],
  },
  {
    enterprise: 'ent07',
    titleZh: '演示·增材制造用球形钛合金粉',
    titleEn: 'Demo: spherical titanium powder for additive manufacturing',
    direction: 'new_materials',
    startedDaysAgo: 360,
    advances: [{ stage: 'pilot_maturation', daysAgo: 150, evidence: '实验室粉末球形度 ≥ 0.95、氧含量 ≤ 1200 ppm' }],
  },
  {
    enterprise: 'ent02',
    titleZh: '演示·缓释注射剂工艺放大',
    titleEn: 'Demo: scale-up of a sustained-release injectable',
    direction: 'life_health',
    startedDaysAgo: 300,
    advances: [{ stage: 'pilot_maturation', daysAgo: 120, evidence: '小试 3 批体外释放曲线一致' }],
  },
  {
    enterprise: 'ent01',
    titleZh: '演示·钢板表面缺陷视觉检测',
    titleEn: 'Demo: visual inspection of steel-plate surface defects',
    direction: 'artificial_intelligence',
    startedDaysAgo: 280,
    advances: [
      { stage: 'pilot_maturation', daysAgo: 190, evidence: '实验室数据集 mAP 0.91' },
      { stage: 'industrialisation', daysAgo: 30, evidence: '产线试运行 60 天漏检率 < 0.5%' },
    ],
  },
  {
    enterprise: 'ent12',
    titleZh: '演示·光伏级颗粒硅提纯',
    titleEn: 'Demo: purification of PV-grade granular silicon',
    direction: 'new_energy',
    startedDaysAgo: 250,
    advances: [{ stage: 'pilot_maturation', daysAgo: 90, evidence: '实验室纯度 6N 样品检测报告' }],
  },
  {
    enterprise: 'ent04',
    titleZh: '演示·深海压力传感器',
    titleEn: 'Demo: deep-sea pressure sensor',
    direction: 'deep_sea_earth_space',
    startedDaysAgo: 200,
    advances: [],
  },
  {
    enterprise: 'ent09',
    titleZh: '演示·低碳催化加氢工艺',
    titleEn: 'Demo: low-carbon catalytic hydrogenation',
    direction: 'green_low_carbon',
    startedDaysAgo: 320,
    advances: [{ stage: 'pilot_maturation', daysAgo: 100, evidence: '实验室催化剂寿命 2000 h' }],
  },
  {
    enterprise: 'ent20',
    titleZh: '演示·工业质检大模型',
    titleEn: 'Demo: industrial inspection foundation model',
    direction: 'artificial_intelligence',
    startedDaysAgo: 180,
    advances: [],
  },
];
