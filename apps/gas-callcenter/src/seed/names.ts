/**
 * Material for realistic synthetic Chinese names, addresses and phone numbers. Surname weights are
 * approximate population shares (per cent) from published surname frequency tables; the city is a
 * Nanjing-like one with its real district names and administrative codes. All of it is synthetic
 * demo data: no generated person exists.
 * @module
 */
import type { Random } from './prng.js';

/** Common surnames with approximate population share (%). */
export const SURNAMES: readonly (readonly [string, number])[] = [
  ['王', 7.1],
  ['李', 7.0],
  ['张', 6.7],
  ['刘', 5.4],
  ['陈', 4.5],
  ['杨', 3.1],
  ['黄', 2.2],
  ['赵', 2.0],
  ['吴', 2.0],
  ['周', 1.9],
  ['徐', 1.6],
  ['孙', 1.5],
  ['马', 1.3],
  ['朱', 1.3],
  ['胡', 1.2],
  ['郭', 1.1],
  ['何', 1.1],
  ['高', 1.0],
  ['林', 1.0],
  ['罗', 0.9],
  ['郑', 0.8],
  ['梁', 0.8],
  ['谢', 0.7],
  ['宋', 0.6],
  ['唐', 0.6],
  ['许', 0.6],
  ['韩', 0.5],
  ['冯', 0.5],
  ['邓', 0.5],
  ['曹', 0.5],
  ['彭', 0.5],
  ['曾', 0.4],
  ['肖', 0.4],
  ['田', 0.4],
  ['董', 0.4],
  ['袁', 0.4],
  ['潘', 0.4],
  ['于', 0.4],
  ['蒋', 0.4],
  ['蔡', 0.3],
  ['余', 0.3],
  ['杜', 0.3],
  ['叶', 0.3],
  ['程', 0.3],
  ['苏', 0.3],
  ['魏', 0.3],
  ['吕', 0.3],
  ['丁', 0.3],
  ['任', 0.3],
  ['沈', 0.3],
  ['姚', 0.3],
  ['卢', 0.3],
  ['姜', 0.3],
  ['崔', 0.2],
  ['钟', 0.2],
  ['谭', 0.2],
  ['陆', 0.2],
  ['汪', 0.2],
  ['范', 0.2],
  ['金', 0.2],
  ['石', 0.2],
  ['廖', 0.2],
  ['贾', 0.2],
  ['夏', 0.2],
  ['韦', 0.2],
  ['付', 0.2],
  ['方', 0.2],
  ['白', 0.2],
  ['邹', 0.2],
  ['孟', 0.2],
  ['熊', 0.2],
  ['秦', 0.2],
  ['邱', 0.2],
  ['江', 0.2],
  ['尹', 0.2],
  ['薛', 0.2],
  ['闫', 0.2],
  ['段', 0.2],
  ['雷', 0.2],
  ['侯', 0.2],
  ['龙', 0.2],
  ['史', 0.2],
  ['陶', 0.1],
  ['黎', 0.1],
  ['贺', 0.1],
  ['顾', 0.1],
  ['毛', 0.1],
  ['郝', 0.1],
  ['龚', 0.1],
  ['邵', 0.1],
  ['万', 0.1],
  ['钱', 0.1],
  ['严', 0.1],
  ['武', 0.1],
  ['戴', 0.1],
  ['莫', 0.1],
  ['孔', 0.1],
  ['向', 0.1],
  ['汤', 0.1],
  ['欧阳', 0.05],
];

const MALE =
  '伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林建国志文海东峰成亮晨阳博涵轩睿哲瑞毅德荣兵庆'.split('');
const FEMALE = '芳娜敏静丽艳娟霞燕玲丹萍红玉兰婷雪琳晶倩慧莉颖洁佳欣怡梅琴蓉薇月雯璐悦秀英桂凤珍云莹岚'.split('');

/** A full name: a surname by frequency and a one- or two-character given name. */
export function chineseName(r: Random): string {
  const surname = r.weighted(SURNAMES);
  const pool = r.chance(0.5) ? MALE : FEMALE;
  return surname + r.pick(pool) + (r.chance(0.72) ? r.pick(pool) : '');
}

/** A district of the demo city with its administrative code and some of its roads. */
export interface District {
  readonly name: string;
  readonly code: string;
  /** Relative share of households. */
  readonly weight: number;
  readonly roads: readonly string[];
}

/** The demo city (Nanjing's urban districts). */
export const CITY = '南京市';
export const DISTRICTS: readonly District[] = [
  {
    name: '玄武区',
    code: '320102',
    weight: 8,
    roads: ['中山路', '北京东路', '珠江路', '龙蟠路', '玄武大道', '太平北路', '后宰门街'],
  },
  {
    name: '秦淮区',
    code: '320104',
    weight: 11,
    roads: ['中华路', '太平南路', '长乐路', '龙蟠中路', '应天大街', '瑞金路', '升州路'],
  },
  {
    name: '建邺区',
    code: '320105',
    weight: 9,
    roads: ['江东中路', '嘉陵江东街', '集庆门大街', '河西大街', '兴隆大街', '庐山路'],
  },
  {
    name: '鼓楼区',
    code: '320106',
    weight: 13,
    roads: ['中山北路', '北京西路', '广州路', '汉中路', '湖南路', '虎踞路', '江东北路'],
  },
  {
    name: '浦口区',
    code: '320111',
    weight: 9,
    roads: ['浦珠路', '文德路', '大桥北路', '浦六路', '沿山大道', '江浦路'],
  },
  {
    name: '栖霞区',
    code: '320113',
    weight: 10,
    roads: ['仙林大道', '尧化门街', '迈皋桥路', '和燕路', '马群街', '文苑路'],
  },
  {
    name: '雨花台区',
    code: '320114',
    weight: 8,
    roads: ['雨花南路', '软件大道', '宁南大道', '铁心桥街', '安德门大街', '龙藏大道'],
  },
  {
    name: '江宁区',
    code: '320115',
    weight: 20,
    roads: ['天元东路', '双龙大道', '胜太路', '竹山路', '格致路', '金箔路', '东山大街'],
  },
];

const ESTATE_A = [
  '阳光',
  '金色',
  '翠竹',
  '锦绣',
  '紫金',
  '龙江',
  '御景',
  '凤凰',
  '怡景',
  '天润',
  '清江',
  '银城',
  '月牙湖',
  '莫愁',
  '仙林',
  '聚福',
  '梅园',
  '枫林',
  '丽岛',
  '东方',
];
const ESTATE_B = ['花园', '小区', '新村', '家园', '公寓', '名苑', '雅居', '佳园', '新城', '嘉园'];

const DISTRICT_WEIGHTS = DISTRICTS.map((d) => [d, d.weight] as const);

/** A dwelling: district, full address and floor. */
export function address(r: Random): { district: District; address: string; floor: number } {
  const district = r.weighted(DISTRICT_WEIGHTS);
  const estate = r.pick(ESTATE_A) + r.pick(ESTATE_B);
  const highRise = r.chance(0.45);
  const floor = highRise ? r.int(1, 33) : r.int(1, 7);
  const room = `${floor}${String(r.int(1, 4)).padStart(2, '0')}`;
  const text = `${CITY}${district.name}${r.pick(district.roads)}${r.int(1, 399)}号${estate}${r.int(1, 40)}栋${r.int(1, 4)}单元${room}室`;
  return { district, address: text, floor };
}

const MOBILE_PREFIXES = [
  '130',
  '131',
  '132',
  '133',
  '134',
  '135',
  '136',
  '137',
  '138',
  '139',
  '150',
  '151',
  '152',
  '153',
  '155',
  '156',
  '157',
  '158',
  '159',
  '180',
  '181',
  '182',
  '183',
  '184',
  '185',
  '186',
  '187',
  '188',
  '189',
];

/** A mobile number (13x/15x/18x). */
export function mobile(r: Random): string {
  return r.pick(MOBILE_PREFIXES) + r.digits(8);
}

/** A landline with the city's area code (025) and an 8-digit number. */
export function landline(r: Random): string {
  return `025${r.pick(['5', '8'])}${r.digits(7)}`;
}
